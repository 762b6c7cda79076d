# Model fragment: TSN with a 2D ResNet-50 backbone (ImageNet-pretrained), 400 classes.
model = dict(
    type='Recognizer2D',
    backbone=dict(
        type='ResNet',
        pretrained='torchvision://resnet50',
        depth=50,
        norm_eval=False),
    cls_head=dict(
        type='TSNHead',
        num_classes=400,
        in_channels=2048,
        spatial_type='avg',
        # average the per-segment scores
        consensus=dict(type='AvgConsensus', dim=1),
        dropout_ratio=0.4,
        init_std=0.01),
    train_cfg=None,
    # TSN averages raw class scores over clips/crops at test time
    test_cfg=dict(average_clips=None))
