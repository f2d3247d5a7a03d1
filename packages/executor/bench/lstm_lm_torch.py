#!/usr/bin/env python3
"""The bucketed LSTM language model of `bench/lm.ts` and `bkt-train lm`, in PyTorch on the CPU: the
reference `pnpm bench:lm` compares against. Needs Debian's python3-torch; run with /usr/bin/python3.

Network: Embedding(V, E) -> num_layers x LSTM(H) (GRU with --cell gru) -> Linear(H, V) -> cross-entropy on the next word, label
0 (padding) ignored. Data as MXNet's BucketSentenceIter batches it: each sentence goes to the smallest
bucket that holds it (longer ones are dropped), right-padded with 0, label = data shifted left by one;
a bucket's last partial batch is dropped. Every parameter from U(-0.1, 0.1); SGD.

    /usr/bin/python3 lstm_lm_torch.py --synthetic 40 --seq-len 30          # throughput, fixed shape
    /usr/bin/python3 lstm_lm_torch.py --synthetic 40 --seq-len 30 --cell gru
    /usr/bin/python3 lstm_lm_torch.py --train ptb.valid.txt --eval ptb.test.txt --epochs 3

One JSON line per run (synthetic) or per epoch (corpus). tokens_per_s counts padded positions (what a
bucketed executor computes); train_per_length and eval_per_length give each sequence length's (bucket's)
seconds and tokens/s, every batch timed from its forward to its loss read back; gflops uses the GEMM count of one training step (forward and both
backward products of the recurrent layers, 4 gates for LSTM and 3 for GRU, and the output layer). With --cell gru,
`system` ends in " gru" (before " bf16").
"""
import argparse
import json
import math
import random
import time

import torch
from torch import nn

# Gate blocks per cell (rows of each weight matrix in units of hidden): LSTM i, f, g, o; GRU r, z, n.
GATES = {"lstm": 4, "gru": 3}


def parse_args():
    p = argparse.ArgumentParser(description="bucketed LSTM LM in PyTorch")
    p.add_argument("--train", help="training corpus, one sentence a line")
    p.add_argument("--eval", help="evaluation corpus")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--synthetic", type=int, default=0, help="time N training steps on random words instead")
    p.add_argument("--seq-len", type=int, default=30, help="sequence length of --synthetic")
    p.add_argument("--vocab", type=int, default=10000, help="vocabulary size of --synthetic")
    p.add_argument("--num-embed", type=int, default=200)
    p.add_argument("--num-hidden", type=int, default=200)
    p.add_argument("--num-layers", type=int, default=2)
    p.add_argument("--cell", choices=sorted(GATES), default="lstm", help="recurrent cell: nn.LSTM or nn.GRU")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--buckets", default="10,20,30,40,50,60")
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--wd", type=float, default=1e-5)
    p.add_argument("--seed", type=int, default=0, help="seeds the initialization and the shuffles")
    # OpenBLAS under torch already runs its own threads; one intra-op thread avoids oversubscription.
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--bf16", action="store_true", help="run the forward pass under bfloat16 autocast (oneDNN on CPU)")
    args = p.parse_args()
    if not args.synthetic and not (args.train and args.eval):
        p.error("give --synthetic N, or both --train and --eval")
    return args


class LanguageModel(nn.Module):
    def __init__(self, vocab, embed, hidden, layers, cell="lstm"):
        super().__init__()
        self.embed = nn.Embedding(vocab, embed)
        self.rnn = (nn.GRU if cell == "gru" else nn.LSTM)(embed, hidden, layers, batch_first=True)
        self.pred = nn.Linear(hidden, vocab)

    def forward(self, words):
        hidden, _ = self.rnn(self.embed(words))
        return self.pred(hidden)


def read_corpus(path, vocab):
    with open(path, encoding="utf-8") as f:
        return [[vocab.setdefault(w, len(vocab)) for w in line.split()] for line in f if line.strip()]


def bucket_batches(sentences, buckets, batch, shuffle):
    groups = {b: [] for b in buckets}
    for s in sentences:
        fit = [b for b in buckets if len(s) <= b]
        if fit:
            groups[fit[0]].append(s)
    out = []
    for length, group in groups.items():
        if shuffle:
            random.shuffle(group)
        for start in range(0, len(group) - batch + 1, batch):
            data = torch.zeros(batch, length, dtype=torch.long)
            for row, s in enumerate(group[start:start + batch]):
                data[row, :len(s)] = torch.tensor(s, dtype=torch.long)
            label = torch.zeros_like(data)
            label[:, :-1] = data[:, 1:]
            out.append((data, label))
    if shuffle:
        random.shuffle(out)
    return out


def run_epoch(model, optimizer, batches, train, warmup=0, bf16=False):
    """Loss per label and throughput over batches[warmup:], overall and per sequence length."""
    model.train(train)
    loss_fn = nn.CrossEntropyLoss(ignore_index=0, reduction="sum")
    loss_sum, labels, positions, start = 0.0, 0, 0, None
    per_length = {}  # sequence length -> [seconds, positions]
    for i, (data, label) in enumerate(batches):
        if i == warmup:
            start = time.perf_counter()
        batch_start = time.perf_counter()
        with torch.set_grad_enabled(train):
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                logits = model(data)
            loss = loss_fn(logits.float().reshape(-1, logits.shape[-1]), label.reshape(-1))
            if train:
                optimizer.zero_grad()
                (loss / data.shape[0]).backward()  # MXNet's SoftmaxOutput gradient is per sample
                optimizer.step()
        if i >= warmup:
            loss_sum += loss.item()
            labels += int((label != 0).sum())
            positions += data.numel()
            spent = per_length.setdefault(data.shape[1], [0.0, 0])
            spent[0] += time.perf_counter() - batch_start
            spent[1] += data.numel()
    seconds = time.perf_counter() - start
    return {"ppl": math.exp(loss_sum / max(labels, 1)), "seconds": seconds, "tokens_per_s": positions / seconds,
            "per_length": {str(t): {"seconds": round(s, 3), "tokens_per_s": round(n / s)} for t, (s, n) in sorted(per_length.items())}}


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    buckets = sorted(int(b) for b in args.buckets.split(","))
    if args.synthetic:
        vocab_size = args.vocab
        shape = (args.batch_size, args.seq_len)
        steps = [(torch.randint(1, vocab_size, shape), torch.randint(1, vocab_size, shape)) for _ in range(args.synthetic + 2)]
    else:
        vocab = {"<pad>": 0}
        train, evaluation = read_corpus(args.train, vocab), read_corpus(args.eval, vocab)
        vocab_size = len(vocab)

    model = LanguageModel(vocab_size, args.num_embed, args.num_hidden, args.num_layers, args.cell)
    for param in model.parameters():
        nn.init.uniform_(param, -0.1, 0.1)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, weight_decay=args.wd)

    e, h, layers, v, g = args.num_embed, args.num_hidden, args.num_layers, vocab_size, GATES[args.cell]
    # Multiply-adds per token: the first layer's gates read E+H inputs, deeper layers H+H; x2 flops, x3 passes.
    flops_per_token = 2 * 3 * (g * h * (e + h) + (layers - 1) * g * h * (2 * h) + h * v)
    system = "pytorch " + torch.__version__ + (" gru" if args.cell == "gru" else "") + (" bf16" if args.bf16 else "")
    if args.synthetic:
        r = run_epoch(model, optimizer, steps, True, warmup=2, bf16=args.bf16)
        print(json.dumps({"system": system, "mode": "synthetic", "seq_len": args.seq_len, "vocab": v,
                          "train_tokens_per_s": round(r["tokens_per_s"]),
                          "gflops": round(r["tokens_per_s"] * flops_per_token / 1e9, 1)}), flush=True)
        return
    for epoch in range(args.epochs):
        tr = run_epoch(model, optimizer, bucket_batches(train, buckets, args.batch_size, True), True, bf16=args.bf16)
        ev = run_epoch(model, optimizer, bucket_batches(evaluation, buckets, args.batch_size, False), False, bf16=args.bf16)
        print(json.dumps({"system": system, "epoch": epoch, "vocab": v, "train_ppl": round(tr["ppl"], 2),
                          "eval_ppl": round(ev["ppl"], 2), "train_seconds": round(tr["seconds"], 2),
                          "train_tokens_per_s": round(tr["tokens_per_s"]), "eval_seconds": round(ev["seconds"], 2),
                          "eval_tokens_per_s": round(ev["tokens_per_s"]),
                          "gflops": round(tr["tokens_per_s"] * flops_per_token / 1e9, 1),
                          "train_per_length": tr["per_length"], "eval_per_length": ev["per_length"]}), flush=True)


if __name__ == "__main__":
    main()
