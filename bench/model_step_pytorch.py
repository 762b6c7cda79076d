#!/usr/bin/python3
"""The PyTorch eager side of bench/model_step_vs_pytorch.sh and scripts/gpu-check.sh: one
training step (forward, cross-entropy loss, backward, SGD step) of TSN-R50 or I3D-R50, written
in plain PyTorch (no mmcv, no torchvision) to match what configs/_base_/models/{tsn,i3d}_r50.py
build, with the same settings as bench/model_step_bench.cpp.

Usage: python3 bench/model_step_pytorch.py tsn|i3d [iterations] [warmup] [threads]
           [--device cpu|cuda] [--batch N] [--frames N] [--size N] [--fp16]
           [--iterations N] [--warmup N] [--threads N]
Prints one JSON line like the C++ bench. --fp16 on CUDA is torch.autocast + GradScaler; on
the CPU it is the fp32 step (as GradScaler disables itself there), with "amp": false.
"""
import argparse
import contextlib
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


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument('model', nargs='?', default='tsn', choices=('tsn', 'i3d'))
    parser.add_argument('positional', nargs='*', type=int,
                        help='iterations, warmup, threads (the old positional form)')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--batch', type=int, default=1)
    parser.add_argument('--frames', '--segments', type=int, default=8)
    parser.add_argument('--size', type=int, default=224)
    parser.add_argument('--fp16', action='store_true')
    parser.add_argument('--iterations', type=int, default=3)
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument('--threads', type=int, default=0)
    args = parser.parse_args()
    if len(args.positional) > 3:
        parser.error('too many arguments')
    for name, value in zip(('iterations', 'warmup', 'threads'), args.positional):
        setattr(args, name, value)
    return args


def grad_scaler(enabled):
    if hasattr(torch, 'amp') and hasattr(torch.amp, 'GradScaler'):  # torch >= 2.3
        return torch.amp.GradScaler('cuda', enabled=enabled)
    return torch.cuda.amp.GradScaler(enabled=enabled)


def main():
    args = parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    device = torch.device('cuda:0' if args.device == 'cuda' else args.device)
    amp = args.fp16 and device.type == 'cuda'
    torch.backends.cudnn.benchmark = device.type == 'cuda'  # as model_step_bench
    three_d = args.model == 'i3d'
    model = Recognizer(three_d).to(device).train()
    sgd = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
    scaler = grad_scaler(amp)
    shape = ((args.batch, 1, 3, args.frames, args.size, args.size) if three_d else
             (args.batch, args.frames, 3, args.size, args.size))
    imgs = torch.randn(*shape, device=device)
    labels = torch.randint(400, (args.batch,), device=device)

    def autocast():
        return torch.autocast('cuda', dtype=torch.float16) if amp else contextlib.nullcontext()

    def step():
        sgd.zero_grad()
        with autocast():
            loss = F.cross_entropy(model(imgs), labels)
        scaler.scale(loss).backward()
        scaler.step(sgd)
        scaler.update()
        if device.type == 'cuda':
            torch.cuda.synchronize(device)

    times = []
    for i in range(args.warmup + args.iterations):
        if i == args.warmup and device.type == 'cuda':
            torch.cuda.reset_peak_memory_stats(device)
        start = time.perf_counter()
        step()
        if i >= args.warmup:
            times.append((time.perf_counter() - start) * 1000)
    median = statistics.median_high(times)  # the C++ side's sorted[n / 2]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    gpu = torch.cuda.max_memory_allocated(device) if device.type == 'cuda' else 0
    print(json.dumps({'side': 'pytorch', 'model': args.model, 'device': str(device),
                      'fp16': args.fp16, 'amp': amp, 'batch': args.batch,
                      'frames': args.frames, 'size': args.size,
                      'threads': torch.get_num_threads(), 'median_ms': round(median, 2),
                      'mean_ms': round(statistics.mean(times), 2),
                      'iterations': args.iterations,
                      'images_per_s': round(args.batch * args.frames / (median / 1000), 1),
                      'params': sum(p.numel() for p in model.parameters()),
                      'peak_rss_mib': round(rss), 'peak_gpu_mib': round(gpu / 2**20)}))


if __name__ == '__main__':
    main()
