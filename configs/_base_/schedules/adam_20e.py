# Schedule: Adam, 20 epochs, lr x0.1 every 10 epochs (lr set for 1 GPU).
optimizer = dict(
    type='Adam',
    lr=0.01,  # for 1 GPU
    weight_decay=0.00001)
optimizer_config = dict(grad_clip=None)
# a single number for `step` means "decay every `step` epochs"
lr_config = dict(policy='step', step=10)
total_epochs = 20
