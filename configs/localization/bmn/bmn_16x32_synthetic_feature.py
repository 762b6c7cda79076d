# BMN on the synthetic localization set written by
# `tubelet make-synthetic-features data/synthetic_localization` (16-dim features at 32
# temporal positions): the ActivityNet config with a model shrunk to train in seconds on a
# CPU, the synthetic set's files and a schedule for a few dozen videos.
_base_ = ['./bmn_400x100_2x8_9e_activitynet_feature.py']

# ---- model: 32 positions, 16 channels, narrow hidden layers, 8 samples per proposal
model = dict(
    temporal_dim=32,
    feat_dim=16,
    num_samples=8,
    num_samples_per_bin=3,
    hidden_dim_1d=32,
    hidden_dim_2d=32,
    hidden_dim_3d=64)

# ---- dataset: one CSV of snippet features per video + JSON annotations
data_root = 'data/synthetic_localization/features/'
data_root_val = data_root
ann_file_train = 'data/synthetic_localization/anet_anno_train.json'
ann_file_val = 'data/synthetic_localization/anet_anno_val.json'
ann_file_test = 'data/synthetic_localization/anet_anno_test.json'
data = dict(
    workers_per_gpu=2,
    train=dict(ann_file=ann_file_train, data_prefix=data_root),
    val=dict(ann_file=ann_file_val, data_prefix=data_root),
    test=dict(ann_file=ann_file_test, data_prefix=data_root))
evaluation = dict(interval=5)

# ---- schedule: the ActivityNet config's Adam, lr 0.01 to learn from a few videos fast
optimizer = dict(lr=0.01)
lr_config = dict(step=15)
total_epochs = 20

# ---- runtime
checkpoint_config = dict(interval=5)
log_config = dict(interval=1)
work_dir = './work_dirs/bmn_16x32_synthetic_feature/'
output_config = dict(out=f'{work_dir}/results.json')
