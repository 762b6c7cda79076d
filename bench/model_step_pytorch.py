#!/usr/bin/python3
"""The PyTorch eager side of bench/model_step_vs_pytorch.sh: one training step (forward,
cross-entropy loss, backward) of TSN-R50 or I3D-R50, written in plain PyTorch (no mmcv, no
torchvision) to match what configs/_base_/models/{tsn,i3d}_r50.py build.

Usage: /usr/bin/python3 bench/model_step_pytorch.py tsn|i3d [iterations] [warmup] [threads]
Prints one JSON line like the C++ bench.
"""
import json
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Bottleneck(nn.Module):
    """ResNet bottleneck, 2D or 3D; `temporal` 3 gives I3D's 3x1x1 first conv."""

    def __init__(self, inplanes, planes, stride, three_d=False, temporal=1):
        super().__init__()
        conv = nn.Conv3d if three_d else nn.Conv2d
        bn = nn.BatchNorm3d if three_d else nn.BatchNorm2d
        k1 = (temporal, 1, 1) if three_d else 1
        p1 = ((temporal - 1) // 2, 0, 0) if three_d else 0
        k2 = (1, 3, 3) if three_d else 3
        p2 = (0, 1, 1) if three_d else 1
        s2 = (1, stride, stride) if three_d else stride
        self.conv1, self.bn1 = conv(inplanes, planes, k1, padding=p1, bias=False), bn(planes)
        self.conv2 = conv(planes, planes, k2, stride=s2, padding=p2, bias=False)
        self.bn2 = bn(planes)
        self.conv3, self.bn3 = conv(planes, planes * 4, 1, bias=False), bn(planes * 4)
        self.downsample = None
        if stride != 1 or inplanes != planes * 4:
            self.downsample = nn.Sequential(conv(inplanes, planes * 4, 1, stride=s2, bias=False),
                                            bn(planes * 4))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return F.relu(out + (self.downsample(x) if self.downsample is not None else x))


class ResNet50(nn.Module):
    """ResNet-50 (TSN's backbone) or its I3D inflation (MMAction2's i3d_r50 settings)."""

    I3D_INFLATE = ((1, 1, 1), (1, 0, 1, 0), (1, 0, 1, 0, 1, 0), (0, 1, 0))

    def __init__(self, three_d=False):
        super().__init__()
        self.three_d = three_d
        if three_d:
            self.conv1 = nn.Conv3d(3, 64, (5, 7, 7), stride=(2, 2, 2), padding=(2, 3, 3),
                                   bias=False)
            self.bn1 = nn.BatchNorm3d(64)
            self.maxpool = nn.MaxPool3d((1, 3, 3), stride=(2, 2, 2), padding=(0, 1, 1))
            self.pool2 = nn.MaxPool3d((2, 1, 1), stride=(2, 1, 1))
        else:
            self.conv1 = nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False)
            self.bn1 = nn.BatchNorm2d(64)
            self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        layers, inplanes = [], 64
        for i, blocks in enumerate((3, 4, 6, 3)):
            planes = 64 << i
            stage = []
            for b in range(blocks):
                temporal = 3 if three_d and self.I3D_INFLATE[i][b] else 1
                stage.append(Bottleneck(inplanes, planes, 2 if b == 0 and i > 0 else 1, three_d,
                                        temporal))
                inplanes = planes * 4
            layers.append(nn.Sequential(*stage))
        self.layers = nn.ModuleList(layers)

    def forward(self, x):
        x = self.maxpool(F.relu(self.bn1(self.conv1(x))))
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i == 0 and self.three_d:
                x = self.pool2(x)
        return x


class Recognizer(nn.Module):
    def __init__(self, three_d):
        super().__init__()
        self.three_d = three_d
        self.backbone = ResNet50(three_d)
        self.dropout = nn.Dropout(0.5 if three_d else 0.4)
        self.fc_cls = nn.Linear(2048, 400)

    def forward(self, imgs):
        batches = imgs.shape[0]
        x = self.backbone(imgs.reshape((-1,) + imgs.shape[2:]))
        x = F.adaptive_avg_pool3d(x, 1) if self.three_d else F.adaptive_avg_pool2d(x, 1)
        score = self.fc_cls(self.dropout(torch.flatten(x, 1)))
        return score.view(batches, -1, 400).mean(1)  # average over segments / clips


def main():
    name = sys.argv[1] if len(sys.argv) > 1 else 'tsn'
    iterations = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    warmup = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    threads = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    if threads > 0:
        torch.set_num_threads(threads)
    torch.manual_seed(0)
    three_d = name == 'i3d'
    model = Recognizer(three_d).train()
    imgs = torch.randn(1, 1, 3, 8, 224, 224) if three_d else torch.randn(1, 8, 3, 224, 224)
    labels = torch.tensor([7])
    times = []
    for i in range(warmup + iterations):
        start = time.perf_counter()
        model.zero_grad()
        F.cross_entropy(model(imgs), labels).backward()
        if i >= warmup:
            times.append((time.perf_counter() - start) * 1000)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({'side': 'pytorch', 'model': name, 'threads': torch.get_num_threads(),
                      'median_ms': round(statistics.median(times), 1),
                      'mean_ms': round(statistics.mean(times), 1), 'iterations': iterations,
                      'params': sum(p.numel() for p in model.parameters()),
                      'peak_rss_mib': round(rss)}))


if __name__ == '__main__':
    main()
