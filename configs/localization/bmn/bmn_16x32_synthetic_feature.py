# BMN on the synthetic localization set written by
# `tubelet make-synthetic-features data/synthetic_localization` (16-dim features at 32
# temporal positions): the ActivityNet config's data layout and pipelines, a model shrunk to
# train in seconds on a CPU.
_base_ = [
    '../../_base_/models/bmn_400x100.py',
    '../../_base_/default_runtime.py',
]

temporal_scale = 32

# ---- model: 32 positions, 16 channels, narrow hidden layers, 8 samples per proposal
model = dict(
    temporal_dim=temporal_scale,
    feat_dim=16,
    num_samples=8,
    num_samples_per_bin=3,
    hidden_dim_1d=32,
    hidden_dim_2d=32,
    hidden_dim_3d=64)

# ---- dataset: one CSV of snippet features per video + JSON annotations
dataset_type = 'ActivityNetDataset'
data_root = 'data/synthetic_localization/features/'
data_root_val = 'data/synthetic_localization/features/'
ann_file_train = 'data/synthetic_localization/anet_anno_train.json'
ann_file_val = 'data/synthetic_localization/anet_anno_val.json'
ann_file_test = 'data/synthetic_localization/anet_anno_test.json'

video_meta_keys = [
    'video_name', 'duration_second', 'duration_frame', 'annotations',
    'feature_frame'
]

train_pipeline = [
    dict(type='LoadLocalizationFeature'),
    dict(type='GenerateLocalizationLabels'),
    dict(type='Collect', keys=['raw_feature', 'gt_bbox'],
         meta_name='video_meta', meta_keys=['video_name']),
    dict(type='ToTensor', keys=['raw_feature', 'gt_bbox']),
    dict(type='ToDataContainer',
         fields=[dict(key='gt_bbox', stack=False, cpu_only=True)]),
]
val_pipeline = [
    dict(type='LoadLocalizationFeature'),
    dict(type='GenerateLocalizationLabels'),
    dict(type='Collect', keys=['raw_feature', 'gt_bbox'],
         meta_name='video_meta', meta_keys=video_meta_keys),
    dict(type='ToTensor', keys=['raw_feature', 'gt_bbox']),
    dict(type='ToDataContainer',
         fields=[dict(key='gt_bbox', stack=False, cpu_only=True)]),
]
test_pipeline = [
    dict(type='LoadLocalizationFeature'),
    dict(type='Collect', keys=['raw_feature'],
         meta_name='video_meta', meta_keys=video_meta_keys),
    dict(type='ToTensor', keys=['raw_feature']),
]

data = dict(
    videos_per_gpu=8,
    workers_per_gpu=2,
    train_dataloader=dict(drop_last=True),
    val_dataloader=dict(videos_per_gpu=1),
    test_dataloader=dict(videos_per_gpu=1),
    train=dict(type=dataset_type, ann_file=ann_file_train,
               pipeline=train_pipeline, data_prefix=data_root),
    val=dict(type=dataset_type, ann_file=ann_file_val,
             pipeline=val_pipeline, data_prefix=data_root_val),
    test=dict(type=dataset_type, ann_file=ann_file_test,
              pipeline=test_pipeline, data_prefix=data_root_val))
evaluation = dict(interval=5, metrics=['AR@AN'])

# ---- schedule: Adam as the ActivityNet config, lr 0.01 to learn from a few videos fast
optimizer = dict(type='Adam', lr=0.01, weight_decay=0.0001)
optimizer_config = dict(grad_clip=None)
lr_config = dict(policy='step', step=15)
total_epochs = 20

# ---- runtime
checkpoint_config = dict(interval=5)
log_config = dict(interval=1, hooks=[dict(type='TextLoggerHook')])
work_dir = './work_dirs/bmn_16x32_synthetic_feature/'
output_config = dict(out=f'{work_dir}/results.json', output_format='json')
