# TPN on the tiny synthetic TSM ResNet-18 (8 segments, 10 classes): stages 3 and 4 (256 and
# 512 channels) feed the neck, whose auxiliary head adds loss_aux; tested with fcn_test as
# MMAction2's TPN-TSM config.
_base_ = ['../tsm/tsm_r18_1x1x8_synthetic.py']

model = dict(
    backbone=dict(out_indices=(2, 3)),
    neck=dict(
        type='TPN',
        in_channels=(256, 512),
        out_channels=256,
        spatial_modulation_cfg=dict(in_channels=(256, 512), out_channels=512),
        temporal_modulation_cfg=dict(downsample_scales=(8, 8)),
        upsample_cfg=dict(scale_factor=(1, 1, 1)),
        downsample_cfg=dict(downsample_scale=(1, 1, 1)),
        level_fusion_cfg=dict(
            in_channels=(256, 256),
            mid_channels=(256, 256),
            out_channels=512,
            downsample_scales=((1, 1, 1), (1, 1, 1))),
        aux_head_cfg=dict(out_channels=10, loss_weight=0.5)),
    # TSMHead's arguments (num_segments, is_shift) do not apply: replace the head whole
    cls_head=dict(
        _delete_=True,
        type='TPNHead',
        num_classes=10,
        in_channels=2048,
        spatial_type='avg',
        consensus=dict(type='AvgConsensus', dim=1),
        dropout_ratio=0.5,
        init_std=0.01),
    test_cfg=dict(average_clips='prob', fcn_test=True))

work_dir = './work_dirs/tpn_tsm_r18_1x1x8_synthetic/'
