# Model fragment: I3D, a ResNet-50 inflated to 3D from ImageNet 2D weights, 400 classes.
model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='ResNet3d',
        # inflate the 2D torchvision weights into the 3D kernels
        pretrained2d=True,
        pretrained='torchvision://resnet50',
        depth=50,
        conv1_kernel=(5, 7, 7),
        conv1_stride_t=2,
        pool1_stride_t=2,
        conv_cfg=dict(type='Conv3d'),
        norm_eval=False,
        # per stage, per block: 1 = 3x1x1 temporal kernel, 0 = 1x1x1
        # (the pattern of the original MMAction I3D ResNet)
        inflate=((1, 1, 1), (1, 0, 1, 0), (1, 0, 1, 0, 1, 0), (0, 1, 0)),
        zero_init_residual=False),
    cls_head=dict(
        type='I3DHead',
        num_classes=400,
        in_channels=2048,
        spatial_type='avg',
        dropout_ratio=0.5,
        init_std=0.01),
    train_cfg=None,
    test_cfg=dict(average_clips='prob'))
