# Runtime defaults shared by every config: checkpointing, logging, distribution and workflow.

# Save a checkpoint every `interval` epochs (CheckpointHook).
checkpoint_config = dict(interval=1)

# Log every `interval` iterations; add more logger hooks to the list as needed.
log_config = dict(
    interval=20,
    hooks=[
        dict(type='TextLoggerHook'),
        # dict(type='TensorboardLoggerHook'),
    ])

# Backend for multi-process (multi-GPU) training.
dist_params = dict(backend='nccl')
log_level = 'INFO'

# `load_from`: weights to start from (a new run, epoch 0).
# `resume_from`: checkpoint to continue from (weights, optimizer state and epoch).
load_from = None
resume_from = None

# One training epoch per cycle; add ('val', 1) to run a validation epoch after each.
workflow = [('train', 1)]
