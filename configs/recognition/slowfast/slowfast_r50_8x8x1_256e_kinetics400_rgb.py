# SlowFast R50, 8x8 variant (slow path sees 8 of the 32 frames); otherwise the 4x16x1 config.
_base_ = ['./slowfast_r50_4x16x1_256e_kinetics400_rgb.py']

# nested override: only these backbone keys change, everything else is inherited
model = dict(
    backbone=dict(
        resample_rate=4,  # tau
        speed_ratio=4,  # alpha
        channel_ratio=8,  # beta_inv
        slow_pathway=dict(fusion_kernel=7)))

work_dir = './work_dirs/slowfast_r50_8x8x1_256e_kinetics400_rgb'
