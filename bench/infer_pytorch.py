#!/usr/bin/env python3
"""The model half of `tubelet infer` on TSN ResNet-50 in plain PyTorch (no mmcv, no MMAction2):
a reference for bench/infer_vs_mmaction2.sh on machines with torch but without MMAction2.

It rebuilds MMAction2's Recognizer2D + ResNet-50 + TSNHead with MMAction2's module names, loads
a checkpoint written by MMAction2 or by Tubelet (bench/random_checkpoint), runs the views that
`tubelet dump-pipeline` wrote (imgs [views, 3, 224, 224]) in chunks, and prints one JSON line:
the settings, the model's seconds, peak RSS and the top-5 (class, score).

Usage: infer_pytorch.py CHECKPOINT IMGS.pth [--chunk N] [--channels-last] [--threads N]
"""
import argparse
import json
import resource
import time

import torch
from torch import nn


class ConvModule(nn.Module):
    def __init__(self, cin, cout, k, stride=1, padding=0, act=True):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, stride, padding, bias=False)
        self.bn = nn.BatchNorm2d(cout)
        self.act = act

    def forward(self, x):
        x = self.bn(self.conv(x))
        return torch.relu_(x) if self.act else x


class Bottleneck(nn.Module):
    def __init__(self, inplanes, planes, stride, downsample):
        super().__init__()
        # MMAction2's style='pytorch': the stride is on the 3x3 conv.
        self.conv1 = ConvModule(inplanes, planes, 1)
        self.conv2 = ConvModule(planes, planes, 3, stride, 1)
        self.conv3 = ConvModule(planes, planes * 4, 1, act=False)
        self.downsample = downsample

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.conv3(self.conv2(self.conv1(x)))
        return torch.relu_(out + identity)


class ResNet50(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = ConvModule(3, 64, 7, 2, 3)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        inplanes = 64
        for i, (planes, blocks) in enumerate(zip((64, 128, 256, 512), (3, 4, 6, 3))):
            stride = 1 if i == 0 else 2
            layers = []
            for b in range(blocks):
                ds = None
                if b == 0:
                    ds = ConvModule(inplanes, planes * 4, 1, stride, act=False)
                layers.append(Bottleneck(inplanes, planes, stride if b == 0 else 1, ds))
                inplanes = planes * 4
            setattr(self, f'layer{i + 1}', nn.Sequential(*layers))

    def forward(self, x):
        x = self.maxpool(self.conv1(x))
        for i in range(4):
            x = getattr(self, f'layer{i + 1}')(x)
        return x


class TSNHead(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc_cls = nn.Linear(2048, 400)

    def forward(self, feats, num_segs):
        x = feats.mean((2, 3))  # spatial_type='avg'
        x = x.reshape(-1, num_segs, x.shape[1]).mean(1)  # AvgConsensus over the segments
        return self.fc_cls(x)


class TSN(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = ResNet50()
        self.cls_head = TSNHead()


def main():
    p = argparse.ArgumentParser()
    p.add_argument('checkpoint')
    p.add_argument('imgs')
    p.add_argument('--chunk', type=int, default=0, help='views per backbone pass; 0: all')
    p.add_argument('--channels-last', action='store_true')
    p.add_argument('--threads', type=int, default=0, help='0: one per core')
    a = p.parse_args()
    import os
    torch.set_num_threads(a.threads or os.cpu_count())
    start = time.perf_counter()
    model = TSN().eval()
    ckpt = torch.load(a.checkpoint, map_location='cpu')
    sd = ckpt.get('state_dict', ckpt)
    sd = {k[len('module.'):] if k.startswith('module.') else k: v for k, v in sd.items()}
    missing, unexpected = model.load_state_dict(sd, strict=False)
    missing = [k for k in missing if not k.endswith('num_batches_tracked')]
    if missing or unexpected:
        raise SystemExit(f'checkpoint mismatch: missing {missing[:5]}, unexpected {unexpected[:5]}')
    imgs = torch.load(a.imgs)['imgs'].float()
    if a.channels_last:
        model = model.to(memory_format=torch.channels_last)
    load_s = time.perf_counter() - start
    start = time.perf_counter()
    with torch.inference_mode():
        chunk = a.chunk or imgs.shape[0]
        feats = torch.cat([model.backbone(imgs[i:i + chunk]) for i in range(0, imgs.shape[0], chunk)])
        scores = model.cls_head(feats, imgs.shape[0])[0]
    model_s = time.perf_counter() - start
    values, indices = scores.topk(5)
    print(json.dumps({
        'chunk': chunk, 'channels_last': a.channels_last, 'threads': torch.get_num_threads(),
        'load_s': round(load_s, 3), 'model_s': round(model_s, 3),
        'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        'top5': [[int(i), float(v)] for i, v in zip(indices, values)],
    }))


if __name__ == '__main__':
    main()
