# The same TPN SlowOnly R50 schedule, trained from scratch (no ImageNet weights).
_base_ = ['./tpn_imagenet_pretrained_slowonly_r50_8x8x1_150e_kinetics_rgb.py']

model = dict(backbone=dict(pretrained=None))

work_dir = './work_dirs/tpn_slowonly_r50_8x8x1_150e_kinetics400_rgb'
