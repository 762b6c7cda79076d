# TSM ResNet-18 from scratch, 8 segments, 20 epochs on the 10-class synthetic motion set
# written by `tubelet make-synthetic data/synthetic` (64x64 frames, 32 per video).
_base_ = [
    '../../_base_/models/tsm_r50.py',
    '../../_base_/schedules/sgd_tsm_50e.py',
    '../../_base_/default_runtime.py',
]

num_segments = 8
crop_size = 56

# ---- model: the R50 fragment shrunk to R18 (512 output channels), no pretrained weights
model = dict(
    backbone=dict(depth=18, pretrained=None, num_segments=num_segments),
    cls_head=dict(num_classes=10, in_channels=512, num_segments=num_segments))

# ---- dataset: small synthetic clips listed by "<video> <label>" lines
dataset_type = 'VideoDataset'
data_root = 'data/synthetic/videos'
data_root_val = 'data/synthetic/videos'
ann_file_train = 'data/synthetic/train_list.txt'
ann_file_val = 'data/synthetic/val_list.txt'
ann_file_test = 'data/synthetic/val_list.txt'

# label_map.txt: 0 moving_left, 1 moving_right, 2 moving_up, 3 moving_down,
# 4 rotating_clockwise, 5 rotating_anticlockwise, 6 growing, 7 shrinking, 8 blinking, 9 static
flip_label_map = {0: 1, 1: 0, 4: 5, 5: 4}

img_norm_cfg = dict(
    mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_bgr=False)

train_pipeline = [
    dict(type='DecordInit'),
    dict(type='SampleFrames', clip_len=1, frame_interval=1,
         num_clips=num_segments),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 64)),
    dict(type='MultiScaleCrop', input_size=crop_size,
         scales=(1, 0.875, 0.75, 0.66), random_crop=False, max_wh_scale_gap=1,
         num_fixed_crops=13),
    dict(type='Resize', scale=(crop_size, crop_size), keep_ratio=False),
    # a mirrored clip moves the other way: left <-> right, clockwise <-> anticlockwise
    dict(type='Flip', flip_ratio=0.5, flip_label_map=flip_label_map),
    dict(type='Normalize', **img_norm_cfg),
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='Collect', keys=['imgs', 'label'], meta_keys=[]),
    dict(type='ToTensor', keys=['imgs', 'label']),
]
val_pipeline = [
    dict(type='DecordInit'),
    dict(type='SampleFrames', clip_len=1, frame_interval=1,
         num_clips=num_segments, test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 64)),
    dict(type='CenterCrop', crop_size=crop_size),
    dict(type='Normalize', **img_norm_cfg),
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='Collect', keys=['imgs', 'label'], meta_keys=[]),
    dict(type='ToTensor', keys=['imgs']),
]
test_pipeline = val_pipeline

data = dict(
    videos_per_gpu=8,
    workers_per_gpu=2,
    test_dataloader=dict(videos_per_gpu=1),
    train=dict(type=dataset_type, ann_file=ann_file_train,
               data_prefix=data_root, pipeline=train_pipeline),
    val=dict(type=dataset_type, ann_file=ann_file_val,
             data_prefix=data_root_val, pipeline=val_pipeline),
    test=dict(type=dataset_type, ann_file=ann_file_test,
              data_prefix=data_root_val, pipeline=test_pipeline))
evaluation = dict(interval=1, metrics=['top_k_accuracy', 'mean_class_accuracy'])

# ---- schedule: short, single device, from scratch. Adam converges in the ~800 iterations a
# demo can afford where the base SGD schedule (made for ImageNet-initialised weights) stays at
# chance; both models get the same schedule so the comparison is fair.
optimizer = dict(type='Adam', lr=0.001, weight_decay=0.0001, _delete_=True)
optimizer_config = dict(grad_clip=dict(max_norm=40, norm_type=2))
lr_config = dict(policy='step', step=[18])
total_epochs = 20

# ---- runtime
checkpoint_config = dict(interval=5)
log_config = dict(interval=5)
work_dir = './work_dirs/tsm_r18_1x1x8_synthetic/'
