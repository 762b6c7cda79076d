# TSM ResNet-50 on Something-Something V1 as the mixup config, trained on cutmix batches
# instead (MMAction2's tsm_r50_cutmix_1x1x8_50e_sthv1_rgb.py): a box of every frame comes
# from another video of the batch, and the labels mix by the area each video keeps.
_base_ = ['./tsm_r50_mixup_1x1x8_50e_sthv1_rgb.py']

model = dict(
    train_cfg=dict(
        blending=dict(
            _delete_=True, type='CutmixBlending', num_classes=174,
            alpha=.2)))

work_dir = './work_dirs/tsm_r50_cutmix_1x1x8_50e_sthv1_rgb/'
