# ST-GCN from scratch on the synthetic skeleton set written by
# `tubelet make-synthetic --pose data/synthetic_pose` (8 classes of moving stick figures, COCO's
# 17 keypoints in 480x480 images, 32 frames per clip). The model is MMAction2's
# stgcn_80e_ntu60_xsub_keypoint.py (COCO layout, spatial strategy, learned edge importance)
# with 8 classes and one person; the pipeline is its own with the clip length and the
# normalisation of this data.
model = dict(
    type='SkeletonGCN',
    backbone=dict(
        type='STGCN',
        in_channels=3,
        edge_importance_weighting=True,
        graph_cfg=dict(layout='coco', strategy='spatial')),
    cls_head=dict(
        type='STGCNHead',
        num_classes=8,
        in_channels=256,
        num_person=1,
        loss_cls=dict(type='CrossEntropyLoss')),
    train_cfg=None,
    test_cfg=None)

dataset_type = 'PoseDataset'
ann_file_train = 'data/synthetic_pose/train.pkl'
ann_file_val = 'data/synthetic_pose/val.pkl'
# x, y in pixels of a 480x480 image and the detector's score in [0, 1], to [-0.5, 0.5]
pose_normalize = dict(
    type='PoseNormalize',
    mean=(240., 240., 0.5),
    min_value=(0., 0., 0.),
    max_value=(480., 480., 1.))
pipeline = [
    dict(type='PaddingWithLoop', clip_len=32),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', input_format='NCTVM', num_person=1),
    pose_normalize,
    dict(type='Collect', keys=['keypoint', 'label'], meta_keys=[]),
    dict(type='ToTensor', keys=['keypoint'])
]
data = dict(
    videos_per_gpu=16,
    workers_per_gpu=2,
    test_dataloader=dict(videos_per_gpu=1),
    train=dict(
        type=dataset_type,
        ann_file=ann_file_train,
        data_prefix='',
        pipeline=pipeline),
    val=dict(
        type=dataset_type,
        ann_file=ann_file_val,
        data_prefix='',
        pipeline=pipeline),
    test=dict(
        type=dataset_type,
        ann_file=ann_file_val,
        data_prefix='',
        pipeline=pipeline))

# MMAction2's ST-GCN schedule, shortened: SGD with Nesterov momentum, steps at 60% and 85%
optimizer = dict(
    type='SGD', lr=0.1, momentum=0.9, weight_decay=0.0001, nesterov=True)
optimizer_config = dict(grad_clip=None)
lr_config = dict(policy='step', step=[12, 17])
total_epochs = 20
checkpoint_config = dict(interval=5)
evaluation = dict(
    interval=5, metrics=['top_k_accuracy', 'mean_class_accuracy'])
log_config = dict(interval=5, hooks=[dict(type='TextLoggerHook')])

dist_params = dict(backend='nccl')
log_level = 'INFO'
work_dir = './work_dirs/stgcn_synthetic_pose/'
load_from = None
resume_from = None
workflow = [('train', 1)]
