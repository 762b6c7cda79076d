# BSN stage 3 (PEM) on the synthetic localization set: scores the proposals
# bsn_pgm_16x32_synthetic_feature.py generated (same work_dir) from their BSP features.
_base_ = [
    '../../_base_/models/bsn_pem.py',
    '../../_base_/schedules/adam_20e.py',
    '../../_base_/default_runtime.py',
]

model = dict(pem_hidden_dim=64)

# ---- dataset (PGM wrote proposals for ann_file_train in --mode train, ann_file_val in test)
dataset_type = 'ActivityNetDataset'
data_root = 'data/synthetic_localization/features/'
data_root_val = 'data/synthetic_localization/features/'
ann_file_train = 'data/synthetic_localization/anet_anno_train.json'
ann_file_val = 'data/synthetic_localization/anet_anno_val.json'
ann_file_test = 'data/synthetic_localization/anet_anno_val.json'

work_dir = 'work_dirs/bsn_16x32_synthetic_feature/'
pgm_proposals_dir = f'{work_dir}/pgm_proposals/'
pgm_features_dir = f'{work_dir}/pgm_features/'

video_meta_keys = [
    'video_name', 'duration_second', 'duration_frame', 'annotations',
    'feature_frame'
]

train_pipeline = [
    dict(type='LoadProposals', top_k=500,
         pgm_proposals_dir=pgm_proposals_dir,
         pgm_features_dir=pgm_features_dir),
    dict(type='Collect', keys=['bsp_feature', 'reference_temporal_iou'],
         meta_name='video_meta', meta_keys=[]),
    dict(type='ToTensor', keys=['bsp_feature', 'reference_temporal_iou']),
    dict(type='ToDataContainer',
         fields=(dict(key='bsp_feature', stack=False),
                 dict(key='reference_temporal_iou', stack=False))),
]
val_pipeline = [
    dict(type='LoadProposals', top_k=1000,
         pgm_proposals_dir=pgm_proposals_dir,
         pgm_features_dir=pgm_features_dir),
    dict(type='Collect',
         keys=['bsp_feature', 'tmin', 'tmax', 'tmin_score', 'tmax_score'],
         meta_name='video_meta', meta_keys=video_meta_keys),
    dict(type='ToTensor', keys=['bsp_feature']),
]
test_pipeline = val_pipeline

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

# ---- schedule: the base Adam schedule, lr 0.003 for few videos
optimizer = dict(lr=0.003)
total_epochs = 20
lr_config = dict(step=15)

# ---- runtime
checkpoint_config = dict(interval=5, filename_tmpl='pem_epoch_{}.pth')
log_config = dict(interval=1, hooks=[dict(type='TextLoggerHook')])
output_config = dict(out=f'{work_dir}/results.json', output_format='json')
