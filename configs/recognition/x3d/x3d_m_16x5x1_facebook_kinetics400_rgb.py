# X3D-M, test-only (weights converted from Facebook), 16 frames x stride 5, K400 rawframes.
# (Test-only: there is no training schedule.)
_base_ = ['../../_base_/models/x3d.py']

# ---- dataset
dataset_type = 'RawframeDataset'
data_root_val = 'data/kinetics400/rawframes_val'
ann_file_test = 'data/kinetics400/kinetics400_val_list_rawframes.txt'

# the statistics the original X3D models were trained with
img_norm_cfg = dict(
    mean=[114.75, 114.75, 114.75], std=[57.38, 57.38, 57.38], to_bgr=False)

# 10 clips x 3 crops of 256x256
test_pipeline = [
    dict(type='SampleFrames', clip_len=16, frame_interval=5, num_clips=10,
         test_mode=True),
    dict(type='RawFrameDecode'),
    dict(type='Resize', scale=(-1, 256)),
    dict(type='ThreeCrop', crop_size=256),
    dict(type='Normalize', **img_norm_cfg),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='Collect', keys=['imgs', 'label'], meta_keys=[]),
    dict(type='ToTensor', keys=['imgs']),
]
data = dict(
    videos_per_gpu=1,
    workers_per_gpu=2,
    test=dict(type=dataset_type, ann_file=ann_file_test,
              data_prefix=data_root_val, pipeline=test_pipeline))

dist_params = dict(backend='nccl')
