# Model fragment: audio-only recognition on spectrogram features [N, clips, 1, T, F] with
# ResNetAudio-50 (frequency/time-factorized convs, base width 32, 1024 output channels) from
# scratch, 400 classes.
model = dict(
    type='AudioRecognizer',
    backbone=dict(
        type='ResNetAudio',
        depth=50,
        pretrained=None,
        in_channels=1,
        norm_eval=False),
    cls_head=dict(
        type='AudioTSNHead',
        num_classes=400,
        in_channels=1024,
        dropout_ratio=0.5,
        init_std=0.01),
    train_cfg=None,
    # clips are averaged as softmax probabilities at test time
    test_cfg=dict(average_clips='prob'))
