# The plugin's optimizer in a config, as MMAction2's tutorial writes it:
# custom_imports loads libmy_plugin.so (found on TUBELET_PLUGIN_PATH), then
# `type='MyOptimizer'` resolves as a built-in optimizer would.
custom_imports = dict(imports=['my_plugin'], allow_failed_imports=False)
model = dict(
    type='Recognizer2D',
    backbone=dict(type='MyBackbone', arg1=3, arg2=8),
    cls_head=dict(type='TSNHead', num_classes=4, in_channels=8))
optimizer = dict(type='MyOptimizer', a=0.01, b=0.9, c=0.0001)
