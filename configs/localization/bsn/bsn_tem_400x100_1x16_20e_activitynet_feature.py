# BSN stage 1: TEM on ActivityNet features (400-dim x 100), 1 GPU x 16 videos, 20 epochs.
# Pipeline: tem (this) -> pgm (bsn_pgm_...py) -> pem (bsn_pem_...py), all sharing one work_dir.
_base_ = [
    '../../_base_/models/bsn_tem.py',
    '../../_base_/default_runtime.py',
]

# ---- dataset
dataset_type = 'ActivityNetDataset'
data_root = 'data/ActivityNet/activitynet_feature_cuhk/csv_mean_100/'
data_root_val = 'data/ActivityNet/activitynet_feature_cuhk/csv_mean_100/'
ann_file_train = 'data/ActivityNet/anet_anno_train.json'
ann_file_val = 'data/ActivityNet/anet_anno_val.json'
# testing runs TEM over every video (train + val) so that PGM/PEM get inputs for all
ann_file_test = 'data/ActivityNet/anet_anno_full.json'

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
    videos_per_gpu=16,
    workers_per_gpu=8,
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
optimizer = dict(type='Adam', lr=0.001, weight_decay=0.0001)  # for 1 GPU
optimizer_config = dict(grad_clip=None)
lr_config = dict(policy='step', step=7)
total_epochs = 20

# ---- runtime: a validation epoch (loss only) after each training epoch
checkpoint_config = dict(interval=1, filename_tmpl='tem_epoch_{}.pth')
log_config = dict(interval=50, hooks=[dict(type='TextLoggerHook')])
workflow = [('train', 1), ('val', 1)]
work_dir = 'work_dirs/bsn_400x100_20e_1x16_activitynet_feature/'
# `test` writes one CSV of start/end/action probabilities per video here
tem_results_dir = f'{work_dir}/tem_results/'
output_config = dict(out=tem_results_dir, output_format='csv')
