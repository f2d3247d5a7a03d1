#!/usr/bin/python3
"""PyTorch reference of bkt-train seq2seq's attention encoder-decoder (apps/trainer/src/seq2seq/model.ts).

Reads data.json written by seq2seq-export.ts (bkt's model configuration, bucket grid, vocabularies
and encoded pairs), trains the same network the same way and prints one JSON line per epoch, then
writes greedy translations of the held-out test set (one a line) for `bkt-train eval-bleu`.

Same as bkt: embeddings; a bidirectional fused LSTM encoder (H/2 per direction, padding never enters
a real position's state: packed sequences here, SequenceReverse by length in bkt); an LSTM decoder
with zero begin state fed BOS + target; dot / bilinear / MLP attention over the encoder states with
positions past the source length masked; tanh(W [decoder; context]) then the output layer (tied or
separate); SoftmaxOutput's label smoothing (1 - a on the label, a / (V - 1) on every other word),
padding ignored; the summed loss divided by the batch size (MXNet's rescale_grad); each gradient
element clipped to [-clip, clip]; Adam; Xavier(factor 'in', magnitude) weights per gate, zero biases,
forget-gate biases 1 (both LSTM biases, as MXNet's FusedRNN initializer); batches drawn per cell of
bkt's [source, target] grid, padded to the cell's lengths, cells' batches shuffled together.
Differences: a cell's last incomplete batch is smaller here (bkt fills it with padding rows that add
no gradient); Adam's epsilon is added after the bias correction (PyTorch) instead of before (MXNet);
random streams differ.
"""
import argparse
import json
import math
import random
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

PAD = 0


class Seq2Seq(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        e, h = c['numEmbed'], c['numHidden']
        bi = c['bidirectional']
        self.src_embed = nn.Embedding(c['sourceVocabSize'], e)
        self.tgt_embed = nn.Embedding(c['targetVocabSize'], e)
        self.enc = nn.LSTM(e, h // 2 if bi else h, num_layers=c['numLayers'], bidirectional=bi, batch_first=True)
        self.dec = nn.LSTM(e, h, batch_first=True)
        if c['attention'] in ('bilinear', 'mlp'):
            self.att_key = nn.Linear(h, h, bias=False)
        if c['attention'] == 'mlp':
            self.att_query = nn.Linear(h, h)
            self.att_v = nn.Linear(h, 1, bias=False)
        out = e if c['tieWeights'] else h
        self.att_out = nn.Linear(2 * h, out)
        self.pred = nn.Linear(out, c['targetVocabSize'])
        if c['tieWeights']:
            self.pred.weight = self.tgt_embed.weight

    def init_like_bkt(self, magnitude):
        def xavier_in(w, fan_in):
            bound = math.sqrt(magnitude / fan_in)
            nn.init.uniform_(w, -bound, bound)

        with torch.no_grad():
            for name, p in self.named_parameters():
                if name.startswith(('enc.', 'dec.')):
                    if name.startswith(('enc.weight', 'dec.weight')):
                        xavier_in(p, p.shape[1])  # per gate: the input (i2h) or state (h2h) size
                    else:
                        p.zero_()
                        n = p.shape[0] // 4
                        p[n:2 * n] = 1.0  # PyTorch's gate order i, f, g, o
                elif p.dim() == 2:
                    xavier_in(p, p.shape[1])
                else:
                    p.zero_()

    def encode(self, src, lengths):
        emb = self.src_embed(src)
        packed = pack_padded_sequence(emb, lengths, batch_first=True, enforce_sorted=False)
        out, _ = self.enc(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=src.shape[1])
        return out  # (batch, S, H)

    def attend(self, enc, lengths, dec):
        """Logits (batch, T, V) of decoder states dec (batch, T, H) over enc (batch, S, H)."""
        kind = self.c['attention']
        if kind == 'dot':
            scores = torch.bmm(dec, enc.transpose(1, 2))
        elif kind == 'bilinear':
            scores = torch.bmm(dec, self.att_key(enc).transpose(1, 2))
        else:
            energy = torch.tanh(self.att_key(enc).unsqueeze(1) + self.att_query(dec).unsqueeze(2))
            scores = self.att_v(energy).squeeze(-1)
        past = torch.arange(enc.shape[1])[None, None, :] >= lengths[:, None, None]
        weights = F.softmax(scores.masked_fill(past, -1e9), dim=-1)
        context = torch.bmm(weights, enc)
        return self.pred(torch.tanh(self.att_out(torch.cat([dec, context], dim=2))))

    def forward(self, src, lengths, tgt_in):
        enc = self.encode(src, lengths)
        dec, _ = self.dec(self.tgt_embed(tgt_in))
        return self.attend(enc, lengths, dec)


def smoothed_loss(logits, label, alpha):
    """Summed label-smoothed cross-entropy of the non-padding labels, and their summed NLL and count."""
    logp = F.log_softmax(logits.reshape(-1, logits.shape[-1]), dim=-1)
    label = label.reshape(-1)
    keep = label != PAD
    logp, label = logp[keep], label[keep]
    nll = -logp.gather(1, label[:, None]).squeeze(1)
    others = -logp.sum(1) - nll
    v = logp.shape[1]
    loss = ((1 - alpha) * nll + alpha / (v - 1) * others).sum()
    return loss, nll.sum().item(), label.numel()


def cell_of(bounds, n):
    for b in bounds:
        if b >= n:
            return b
    return None


def batches(pairs, grid, batch_size, bos, eos, rng):
    """Batches drawn per cell of the grid (pairs longer than it dropped), cells shuffled within and batches across."""
    cells = {}
    for s, t in zip(pairs['source'], pairs['target']):
        key = (cell_of(grid['source'], len(s)), cell_of(grid['target'], len(t) + 1))
        if None not in key:
            cells.setdefault(key, []).append((s, t))
    out = []
    for (S, T), members in cells.items():
        if rng is not None:
            rng.shuffle(members)
        for i in range(0, len(members), batch_size):
            chunk = members[i:i + batch_size]
            src = torch.zeros(len(chunk), S, dtype=torch.long)
            tin = torch.zeros(len(chunk), T, dtype=torch.long)
            lab = torch.zeros(len(chunk), T, dtype=torch.long)
            for r, (s, t) in enumerate(chunk):
                src[r, :len(s)] = torch.tensor(s)
                tin[r, :len(t) + 1] = torch.tensor([bos] + t)
                lab[r, :len(t) + 1] = torch.tensor(t + [eos])
            out.append((src, torch.tensor([len(s) for s, _ in chunk]), tin, lab))
    if rng is not None:
        rng.shuffle(out)
    return out


@torch.no_grad()
def greedy(model, sources, grid, bos, eos, max_ratio, rows):
    """Greedy translations (id lists): sentences grouped by source bucket, at most ceil(bucket × ratio) words."""
    model.eval()
    result = [None] * len(sources)
    by_bucket = {}
    for i, s in enumerate(sources):
        by_bucket.setdefault(cell_of(grid['source'], len(s)) or len(s), []).append(i)
    for S, idx in by_bucket.items():
        limit = math.ceil(S * max_ratio)
        for k in range(0, len(idx), rows):
            part = idx[k:k + rows]
            src = torch.zeros(len(part), S, dtype=torch.long)
            for r, i in enumerate(part):
                src[r, :len(sources[i])] = torch.tensor(sources[i])
            lengths = torch.tensor([len(sources[i]) for i in part])
            enc = model.encode(src, lengths)
            word = torch.full((len(part), 1), bos, dtype=torch.long)
            state = None
            done = torch.zeros(len(part), dtype=torch.bool)
            words = []
            for _ in range(limit):
                dec, state = model.dec(model.tgt_embed(word), state)
                word = model.attend(enc, lengths, dec).argmax(-1)
                words.append(word[:, 0])
                done |= word[:, 0] == eos
                if done.all():
                    break
            ids = torch.stack(words, 1).tolist()
            for r, i in enumerate(part):
                row = ids[r]
                result[i] = row[:row.index(eos)] if eos in row else row
    model.train()
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--data', required=True, help='data.json from seq2seq-export.ts')
    ap.add_argument('--hypotheses', required=True, help='where the greedy test translations go')
    ap.add_argument('--epochs', type=int, default=2)
    ap.add_argument('--batch-size', type=int, default=64)
    ap.add_argument('--lr', type=float, default=0.01)
    ap.add_argument('--clip', type=float, default=5.0)
    ap.add_argument('--init-magnitude', type=float, default=2.34)
    ap.add_argument('--max-length-ratio', type=float, default=1.5)
    ap.add_argument('--batch-rows', type=int, default=128)
    ap.add_argument('--threads', type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    with open(a.data) as f:
        d = json.load(f)
    torch.manual_seed(d['seed'])
    rng = random.Random(d['seed'])
    c = d['model']
    model = Seq2Seq(c)
    model.init_like_bkt(a.init_magnitude)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    valid = batches(d['valid'], d['grid'], a.batch_size, d['bos'], d['eos'], None)
    for epoch in range(1, a.epochs + 1):
        train = batches(d['train'], d['grid'], a.batch_size, d['bos'], d['eos'], rng)
        tic = time.perf_counter()
        nll_sum, count = 0.0, 0
        for src, lengths, tin, lab in train:
            loss, nll, n = smoothed_loss(model(src, lengths, tin), lab, c['labelSmoothing'])
            opt.zero_grad()
            (loss / a.batch_size).backward()
            nn.utils.clip_grad_value_(model.parameters(), a.clip)
            opt.step()
            nll_sum, count = nll_sum + nll, count + n
        seconds = time.perf_counter() - tic
        model.eval()
        with torch.no_grad():
            v = [smoothed_loss(model(s, l, t), y, 0.0) for s, l, t, y in valid]
        model.train()
        print(json.dumps({
            'impl': 'pytorch', 'epoch': epoch, 'seconds': round(seconds, 3),
            'tokens_per_s': round(count / seconds), 'train_ppl': round(math.exp(nll_sum / count), 4),
            'valid_ppl': round(math.exp(sum(x[1] for x in v) / sum(x[2] for x in v)), 4),
        }), flush=True)
    tic = time.perf_counter()
    ids = greedy(model, d['test']['source'], d['grid'], d['bos'], d['eos'], a.max_length_ratio, a.batch_rows)
    with open(a.hypotheses, 'w') as f:
        for row in ids:
            f.write(' '.join(d['targetWords'][i] for i in row) + '\n')
    print(json.dumps({'impl': 'pytorch', 'decode_seconds': round(time.perf_counter() - tic, 3), 'sentences': len(ids)}), flush=True)


if __name__ == '__main__':
    sys.exit(main())
