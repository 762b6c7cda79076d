# A config that uses the plugin's module: custom_imports loads libmy_plugin.so (found on
# TUBELET_PLUGIN_PATH), then `type='MyBackbone'` resolves as a built-in backbone would, here
# inside MMAction2's Recognizer2D with its TSNHead.
custom_imports = dict(imports=['my_plugin'], allow_failed_imports=False)
model = dict(
    type='Recognizer2D',
    backbone=dict(type='MyBackbone', arg1=3, arg2=8),
    cls_head=dict(type='TSNHead', num_classes=4, in_channels=8))
