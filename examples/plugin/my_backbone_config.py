# A config that uses the plugin's module: custom_imports loads libmy_plugin.so (found on
# TUBELET_PLUGIN_PATH), then `type='MyBackbone'` resolves as a built-in would.
custom_imports = dict(imports=['my_plugin'], allow_failed_imports=False)
model = dict(type='MyBackbone', arg1=3, arg2=8)
