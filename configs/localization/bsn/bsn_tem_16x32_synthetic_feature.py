# BSN stage 1 (TEM) on the synthetic localization set written by
# `tubelet make-synthetic-features data/synthetic_localization` (16-dim features at 32
# temporal positions). Pipeline: tem (this) -> pgm (bsn_pgm_16x32_synthetic_feature.py) ->
# pem (bsn_pem_16x32_synthetic_feature.py), all sharing one work_dir.
_base_ = [
    '../../_base_/models/bsn_tem.py',
    '../../_base_/default_runtime.py',
]

model = dict(temporal_dim=32, tem_feat_dim=16, tem_hidden_dim=64)

# ---- dataset
dataset_type = 'ActivityNetDataset'
data_root = 'data/synthetic_localization/features/'
data_root_val = 'data/synthetic_localization/features/'
ann_file_train = 'data/synthetic_localization/anet_anno_train.json'
ann_file_val = 'data/synthetic_localization/anet_anno_val.json'
# testing runs TEM over every video (train + val + test) so that PGM/PEM get inputs for all
ann_file_test = 'data/synthetic_localization/anet_anno_full.json'

train_pipeline = [
    dict(type='LoadLocalizationFeature'),
    dict(type='GenerateLocalizationLabels'),
    dict(type='Collect', keys=['raw_feature', 'gt_bbox'],
         meta_name='video_meta', meta_keys=['video_name']),
    dict(type='ToTensor', keys=['raw_feature', 'gt_bbox']),
    dict(type='ToDataContainer', fields=[dict(key='gt_bbox', stack=False)]),
]
val_pipeline = [
    dict(type='LoadLocalizationFeature'),
    dict(type='GenerateLocalizationLabels'),
    dict(type='Collect', keys=['raw_feature', 'gt_bbox'],
         meta_name='video_meta', meta_keys=['video_name']),
    dict(type='ToTensor', keys=['raw_feature', 'gt_bbox']),
    dict(type='ToDataContainer', fields=[dict(key='gt_bbox', stack=False)]),
]
test_pipeline = [
    dict(type='LoadLocalizationFeature'),
    dict(type='Collect', keys=['raw_feature'],
         meta_name='video_meta', meta_keys=['video_name']),
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

# ---- schedule
optimizer = dict(type='Adam', lr=0.01, weight_decay=0.0001)
optimizer_config = dict(grad_clip=None)
lr_config = dict(policy='step', step=15)
total_epochs = 20

# ---- runtime
checkpoint_config = dict(interval=5, filename_tmpl='tem_epoch_{}.pth')
log_config = dict(interval=1, hooks=[dict(type='TextLoggerHook')])
workflow = [('train', 1)]
work_dir = 'work_dirs/bsn_16x32_synthetic_feature/'
# `test` writes one CSV of action/start/end probabilities per video here
tem_results_dir = f'{work_dir}/tem_results/'
output_config = dict(out=tem_results_dir, output_format='csv')
