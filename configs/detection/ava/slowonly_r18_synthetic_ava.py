# Spatio-temporal action detection from scratch on the synthetic AVA-format set written by
# `tubelet make-synthetic --ava data/synthetic_ava` (walk / blink / stand, plus carry on some
# of them: multi-label boxes; 128x96 rawframes at 30 fps, one annotated timestamp a second).
# MMAction2's slowonly_kinetics_pretrained_r50_4x16x1_20e_ava_rgb.py recipe (FastRCNN over a
# SlowOnly backbone, 4x16 clips around each keyframe, RoIAlign on the proposals, a multi-label
# BBoxHeadAVA) at a size that trains on a CPU: ResNet-18 blocks with 16 base channels, features
# at stride 8, 96-pixel frames, no pretraining. num_classes is the 4 actions + 1 (AVA's
# convention: class 0 is unused).
model = dict(
    type='FastRCNN',
    backbone=dict(
        type='ResNet3dSlowOnly',
        depth=18,
        pretrained=None,
        pretrained2d=False,
        lateral=False,
        base_channels=16,
        num_stages=4,
        conv1_kernel=(1, 7, 7),
        conv1_stride_t=1,
        pool1_stride_t=1,
        spatial_strides=(1, 2, 1, 1)),
    roi_head=dict(
        type='AVARoIHead',
        bbox_roi_extractor=dict(
            type='SingleRoIExtractor3D',
            roi_layer_type='RoIAlign',
            featmap_stride=8,
            output_size=8,
            with_temporal_pool=True),
        bbox_head=dict(
            type='BBoxHeadAVA',
            in_channels=128,
            num_classes=5,
            # precision/recall of the top 1 and 2 of the 4 actions (topk < num_classes)
            topk=(1, 2),
            multilabel=True,
            dropout_ratio=0.2)),
    train_cfg=dict(
        rcnn=dict(
            assigner=dict(
                type='MaxIoUAssignerAVA',
                pos_iou_thr=0.9,
                neg_iou_thr=0.9,
                min_pos_iou=0.9),
            sampler=dict(
                type='RandomSampler',
                num=32,
                pos_fraction=1,
                neg_pos_ub=-1,
                add_gt_as_proposals=True),
            pos_weight=1.0,
            debug=False)),
    test_cfg=dict(rcnn=dict(action_thr=0.002)))

dataset_type = 'AVADataset'
data_root = 'data/synthetic_ava/rawframes'
anno_root = 'data/synthetic_ava/annotations'

ann_file_train = f'{anno_root}/ava_train.csv'
ann_file_val = f'{anno_root}/ava_val.csv'

exclude_file_train = f'{anno_root}/ava_train_excluded_timestamps.csv'
exclude_file_val = f'{anno_root}/ava_val_excluded_timestamps.csv'

label_file = f'{anno_root}/ava_action_list.pbtxt'

proposal_file_train = f'{anno_root}/ava_proposals_train.pkl'
proposal_file_val = f'{anno_root}/ava_proposals_val.pkl'

# The synthetic videos are 8 s long from 900 s: frames are clipped to that shot.
timestamp_start = 900
timestamp_end = 908

img_norm_cfg = dict(
    mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_bgr=False)

train_pipeline = [
    dict(type='SampleAVAFrames', clip_len=4, frame_interval=16),
    dict(type='RawFrameDecode'),
    dict(type='RandomRescale', scale_range=(96, 120)),
    dict(type='RandomCrop', size=96),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='Normalize', **img_norm_cfg),
    dict(type='FormatShape', input_format='NCTHW', collapse=True),
    # Rename is needed to use mmdet detectors
    dict(type='Rename', mapping=dict(imgs='img')),
    dict(type='ToTensor', keys=['img', 'proposals', 'gt_bboxes', 'gt_labels']),
    dict(
        type='ToDataContainer',
        fields=[
            dict(key=['proposals', 'gt_bboxes', 'gt_labels'], stack=False)
        ]),
    dict(
        type='Collect',
        keys=['img', 'proposals', 'gt_bboxes', 'gt_labels'],
        meta_keys=['scores', 'entity_ids'])
]
# The testing is w/o. any cropping / flipping
val_pipeline = [
    dict(
        type='SampleAVAFrames', clip_len=4, frame_interval=16, test_mode=True),
    dict(type='RawFrameDecode'),
    dict(type='Resize', scale=(-1, 96)),
    dict(type='Normalize', **img_norm_cfg),
    dict(type='FormatShape', input_format='NCTHW', collapse=True),
    # Rename is needed to use mmdet detectors
    dict(type='Rename', mapping=dict(imgs='img')),
    dict(type='ToTensor', keys=['img', 'proposals']),
    dict(type='ToDataContainer', fields=[dict(key='proposals', stack=False)]),
    dict(
        type='Collect',
        keys=['img', 'proposals'],
        meta_keys=['scores', 'img_shape'],
        nested=True)
]

data = dict(
    videos_per_gpu=8,
    workers_per_gpu=2,
    val_dataloader=dict(videos_per_gpu=1),
    test_dataloader=dict(videos_per_gpu=1),
    train=dict(
        type=dataset_type,
        ann_file=ann_file_train,
        exclude_file=exclude_file_train,
        pipeline=train_pipeline,
        label_file=label_file,
        proposal_file=proposal_file_train,
        person_det_score_thr=0.9,
        num_classes=5,
        timestamp_start=timestamp_start,
        timestamp_end=timestamp_end,
        data_prefix=data_root),
    val=dict(
        type=dataset_type,
        ann_file=ann_file_val,
        exclude_file=exclude_file_val,
        pipeline=val_pipeline,
        label_file=label_file,
        proposal_file=proposal_file_val,
        person_det_score_thr=0.9,
        num_classes=5,
        timestamp_start=timestamp_start,
        timestamp_end=timestamp_end,
        data_prefix=data_root))
data['test'] = data['val']

optimizer = dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=0.00001)
optimizer_config = dict(grad_clip=dict(max_norm=40, norm_type=2))
lr_config = dict(
    policy='step',
    step=[12, 16],
    warmup='linear',
    warmup_by_epoch=True,
    warmup_iters=1,
    warmup_ratio=0.1)
total_epochs = 20
checkpoint_config = dict(interval=5)
workflow = [('train', 1)]
evaluation = dict(interval=5, save_best='mAP@0.5IOU')
log_config = dict(
    interval=5, hooks=[
        dict(type='TextLoggerHook'),
    ])
dist_params = dict(backend='nccl')
log_level = 'INFO'
work_dir = './work_dirs/ava/slowonly_r18_synthetic_ava'
load_from = None
resume_from = None
find_unused_parameters = False
