# TSM ResNet-50, 8 segments x 1 frame, 50 epochs, Something-Something V1 RGB rawframes,
# trained on mixup batches (MMAction2's tsm_r50_mixup_1x1x8_50e_sthv1_rgb.py).
_base_ = [
    '../../_base_/models/tsm_r50.py',
    '../../_base_/schedules/sgd_tsm_50e.py',
    '../../_base_/default_runtime.py',
]

# 174 classes; every training batch is blended: each video and its one-hot label become
# lam * itself + (1 - lam) * another video of the batch, lam ~ Beta(0.2, 0.2). The head's
# CrossEntropyLoss then takes the soft labels (and logs no top-k accuracy for them). The
# base model's train_cfg is None, hence _delete_.
model = dict(
    cls_head=dict(num_classes=174),
    train_cfg=dict(
        _delete_=True,
        blending=dict(type='MixupBlending', num_classes=174, alpha=.2)))

# ---- dataset: extracted frames 00001.jpg, ... listed by "<frame_dir> <total_frames> <label>"
dataset_type = 'RawframeDataset'
data_root = 'data/sthv1/rawframes'
data_root_val = 'data/sthv1/rawframes'
ann_file_train = 'data/sthv1/sthv1_train_list_rawframes.txt'
ann_file_val = 'data/sthv1/sthv1_val_list_rawframes.txt'
ann_file_test = 'data/sthv1/sthv1_val_list_rawframes.txt'

# ImageNet RGB statistics, used by every Normalize step below
img_norm_cfg = dict(
    mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_bgr=False)

# No Flip: Something-Something's classes tell left from right.
train_pipeline = [
    dict(type='SampleFrames', clip_len=1, frame_interval=1, num_clips=8),
    dict(type='RawFrameDecode'),
    dict(type='Resize', scale=(-1, 256)),
    # 13 fixed crop positions (corners, center, and the quarter points)
    dict(type='MultiScaleCrop', input_size=224, scales=(1, 0.875, 0.75, 0.66),
         random_crop=False, max_wh_scale_gap=1, num_fixed_crops=13),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    dict(type='Normalize', **img_norm_cfg),
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='Collect', keys=['imgs', 'label'], meta_keys=[]),
    dict(type='ToTensor', keys=['imgs', 'label']),
]
val_pipeline = [
    dict(type='SampleFrames', clip_len=1, frame_interval=1, num_clips=8,
         test_mode=True),
    dict(type='RawFrameDecode'),
    dict(type='Resize', scale=(-1, 256)),
    dict(type='CenterCrop', crop_size=224),
    dict(type='Normalize', **img_norm_cfg),
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='Collect', keys=['imgs', 'label'], meta_keys=[]),
    dict(type='ToTensor', keys=['imgs']),
]
# 2 temporal samplings x 3 crops = 6 views of 8 frames each
test_pipeline = [
    dict(type='SampleFrames', clip_len=1, frame_interval=1, num_clips=8,
         twice_sample=True, test_mode=True),
    dict(type='RawFrameDecode'),
    dict(type='Resize', scale=(-1, 256)),
    dict(type='ThreeCrop', crop_size=256),
    dict(type='Normalize', **img_norm_cfg),
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='Collect', keys=['imgs', 'label'], meta_keys=[]),
    dict(type='ToTensor', keys=['imgs']),
]

data = dict(
    videos_per_gpu=8,
    workers_per_gpu=2,
    test_dataloader=dict(videos_per_gpu=1),
    train=dict(type=dataset_type, ann_file=ann_file_train, data_prefix=data_root,
               filename_tmpl='{:05}.jpg', pipeline=train_pipeline),
    val=dict(type=dataset_type, ann_file=ann_file_val, data_prefix=data_root_val,
             filename_tmpl='{:05}.jpg', pipeline=val_pipeline),
    test=dict(type=dataset_type, ann_file=ann_file_test, data_prefix=data_root_val,
              filename_tmpl='{:05}.jpg', pipeline=test_pipeline))
evaluation = dict(
    interval=2, metrics=['top_k_accuracy', 'mean_class_accuracy'])

# the schedule's SGD, with MMAction2's weight decay for this config
optimizer = dict(weight_decay=0.0005)

work_dir = './work_dirs/tsm_r50_mixup_1x1x8_50e_sthv1_rgb/'
