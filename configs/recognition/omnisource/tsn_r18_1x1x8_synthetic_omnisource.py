# OmniSource on the synthetic motion set: the TSN-R18 of tsn_r18_1x1x8_synthetic.py trained
# jointly on the videos (the main source, which sets the epoch length) and on single frames
# standing in for web images (ImageDataset, listed in data/synthetic/train_list_images.txt),
# as MMAction2's tsn_r50_1x1x8_100e_minikinetics_omnisource_rgb.py does with Kinetics-200 and
# web images. Every second video batch is followed by one image batch (train_ratio=[2, 1]).
_base_ = ['../tsn/tsn_r18_1x1x8_synthetic.py']

omnisource = True

img_norm_cfg = dict(
    mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_bgr=False)
train_web_pipeline = [
    dict(type='ImageDecode'),
    dict(type='Resize', scale=(-1, 64)),
    dict(type='RandomResizedCrop'),
    dict(type='Resize', scale=(32, 32), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='Normalize', **img_norm_cfg),
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='Collect', keys=['imgs', 'label'], meta_keys=[]),
    dict(type='ToTensor', keys=['imgs', 'label'])
]
data = dict(
    videos_per_gpu=8,
    # per source: 8 videos of 8 frames, 32 single images
    omni_videos_per_gpu=[8, 32],
    train_ratio=[2, 1],
    train=[
        dict(
            type='VideoDataset',
            ann_file='data/synthetic/train_list.txt',
            data_prefix='data/synthetic/videos',
            pipeline={{_base_.train_pipeline}}),
        dict(
            type='ImageDataset',
            ann_file='data/synthetic/train_list_images.txt',
            data_prefix='data/synthetic/rawframes',
            pipeline=train_web_pipeline)
    ])
work_dir = './work_dirs/tsn_r18_1x1x8_synthetic_omnisource/'
