# Model fragment: C3D initialised from Sports-1M weights, with a 101-class (UCF-101) head.
model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='C3D',
        pretrained=('https://download.openmmlab.com/mmaction/recognition/c3d/'
                    'c3d_sports1m_pretrain_20201016-dcc47ddc.pth'),
        style='pytorch',
        conv_cfg=dict(type='Conv3d'),
        norm_cfg=None,
        act_cfg=dict(type='ReLU'),
        dropout_ratio=0.5,
        init_std=0.005),
    cls_head=dict(
        type='I3DHead',
        num_classes=101,
        in_channels=4096,
        # C3D ends in fully connected layers: no spatial pooling in the head
        spatial_type=None,
        dropout_ratio=0.5,
        init_std=0.01),
    train_cfg=None,
    test_cfg=dict(average_clips='score'))
