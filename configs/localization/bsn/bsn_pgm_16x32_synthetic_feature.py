# BSN stage 2 (PGM) on the synthetic localization set: proposals and BSP features from the
# TEM results of bsn_tem_16x32_synthetic_feature.py (same work_dir); no network.
# `tubelet bsn-proposal-generation CONFIG --mode train` (ann_file_train) and `--mode test`
# (ann_file_val).

# ---- dataset
dataset_type = 'ActivityNetDataset'
data_root = 'data/synthetic_localization/features/'
data_root_val = 'data/synthetic_localization/features/'
ann_file_train = 'data/synthetic_localization/anet_anno_train.json'
ann_file_val = 'data/synthetic_localization/anet_anno_val.json'
ann_file_test = 'data/synthetic_localization/anet_anno_test.json'

# ---- where the stages hand over their results
work_dir = 'work_dirs/bsn_16x32_synthetic_feature/'
tem_results_dir = f'{work_dir}/tem_results/'
pgm_proposals_dir = f'{work_dir}/pgm_proposals/'
pgm_features_dir = f'{work_dir}/pgm_features/'

temporal_scale = 32

pgm_proposals_cfg = dict(
    pgm_proposals_thread=2, temporal_scale=temporal_scale, peak_threshold=0.5)
pgm_features_test_cfg = dict(
    pgm_features_thread=2,
    top_k=1000,
    num_sample_start=8,
    num_sample_end=8,
    num_sample_action=16,
    num_sample_interp=3,
    bsp_boundary_ratio=0.2)
pgm_features_train_cfg = dict(
    pgm_features_thread=2,
    top_k=500,
    num_sample_start=8,
    num_sample_end=8,
    num_sample_action=16,
    num_sample_interp=3,
    bsp_boundary_ratio=0.2)
