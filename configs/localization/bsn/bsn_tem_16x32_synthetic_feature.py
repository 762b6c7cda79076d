# BSN stage 1 (TEM) on the synthetic localization set written by
# `tubelet make-synthetic-features data/synthetic_localization` (16-dim features at 32
# temporal positions): the ActivityNet TEM config with a smaller model, the synthetic set's
# files and a schedule for a few dozen videos. Pipeline: tem (this) -> pgm
# (bsn_pgm_16x32_synthetic_feature.py) -> pem (bsn_pem_16x32_synthetic_feature.py), all
# sharing one work_dir.
_base_ = ['./bsn_tem_400x100_1x16_20e_activitynet_feature.py']

model = dict(temporal_dim=32, tem_feat_dim=16, tem_hidden_dim=64)

# ---- dataset
data_root = 'data/synthetic_localization/features/'
data_root_val = data_root
ann_file_train = 'data/synthetic_localization/anet_anno_train.json'
ann_file_val = 'data/synthetic_localization/anet_anno_val.json'
# testing runs TEM over every video (train + val + test) so that PGM/PEM get inputs for all
ann_file_test = 'data/synthetic_localization/anet_anno_full.json'
data = dict(
    videos_per_gpu=8,
    workers_per_gpu=2,
    train=dict(ann_file=ann_file_train, data_prefix=data_root),
    val=dict(ann_file=ann_file_val, data_prefix=data_root),
    test=dict(ann_file=ann_file_test, data_prefix=data_root))

# ---- schedule: lr 0.01 to learn from a few videos fast
optimizer = dict(lr=0.01)
lr_config = dict(step=15)

# ---- runtime: no validation epochs
checkpoint_config = dict(interval=5)
log_config = dict(interval=1)
workflow = [('train', 1)]
work_dir = 'work_dirs/bsn_16x32_synthetic_feature/'
# `test` writes one CSV of action/start/end probabilities per video here
tem_results_dir = f'{work_dir}/tem_results/'
output_config = dict(out=tem_results_dir)
