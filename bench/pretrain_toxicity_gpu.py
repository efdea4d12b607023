"""Experiment (issue 4, toxicity): a small BERT pretrained from scratch on our train splits
(masked language modelling), then fine-tuned for toxic vs non-toxic on UIT-ViCTSD.

No pretrained Vietnamese encoder can be downloaded here, so this asks whether one trained
here, on a GPU, beats the linear model's ViCTSD toxic F1 (0.437; target 0.55). Two steps:

    python bench/pretrain_toxicity_gpu.py prepare DIR   # texts of the train splits (+ ViCTSD dev)
    python bench/pretrain_toxicity_gpu.py run DIR 330   # on a GPU machine: seconds of pretraining

``prepare`` writes a transient bundle for the GPU machine (a git-ignored folder; nothing of it
is committed): every train-split text of ../shared/datasets for pretraining, ViCTSD train and
dev and ViHSD train with their labels. ``run`` trains a WordPiece vocabulary (12,000), a BERT
of 6 layers (hidden 256, 4 heads) for the given seconds, then fine-tunes three ways. The
decision threshold is chosen on a held-out tenth of ViCTSD train; ViCTSD dev is only scored.
A classifier reaching 0.55 on dev is saved under $OUT. Measured on an NVIDIA H200 (torch
2.11, transformers 5.17): see models/toxicity/MODEL_CARD.md.
"""

from __future__ import annotations

import json
import lzma
import os
import random
import sys
import tempfile
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"
PRETRAIN_SETS = ("vntc", "uit_vion", "uit_vsfc", "uit_vsmec", "vihsd", "uit_victsd")


def prepare(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    texts = []
    for name in PRETRAIN_SETS:
        with (SHARED / name / "train.jsonl").open(encoding="utf-8") as handle:
            for line in handle:
                text = json.loads(line)["text"].replace("\n", " ").strip()
                if text:
                    texts.append(text)
    with lzma.open(folder / "corpus.txt.xz", "wt", encoding="utf-8") as out:
        out.write("\n".join(texts))
    for name, split in (("uit_victsd", "train"), ("uit_victsd", "dev"), ("vihsd", "train")):
        with (SHARED / name / f"{split}.jsonl").open(encoding="utf-8") as handle:
            kept = [json.loads(line) for line in handle]
        with (folder / f"{name}_{split}.jsonl").open("w", encoding="utf-8") as out:
            for row in kept:
                out.write(json.dumps({"text": row["text"], "label": row["label"]},
                                     ensure_ascii=False) + "\n")  # fmt: skip
    print(f"{len(texts)} pretraining texts and the labelled splits in {folder}")


def run(data: str, pretrain_s: float, small: bool = False) -> None:
    import numpy as np
    import torch
    from tokenizers import BertWordPieceTokenizer
    from transformers import (
        BertConfig,
        BertForMaskedLM,
        BertForSequenceClassification,
        BertTokenizerFast,
    )

    t0 = time.time()
    data_dir, seconds, tiny = data, pretrain_s, small
    work = tempfile.mkdtemp(prefix="pretrain-toxic-")
    out_dir = os.environ.get("OUT", work)  # the device tool brings $OUT back
    device = "cuda" if torch.cuda.is_available() else "cpu"
    seq = 128
    torch.manual_seed(13)
    random.seed(13)
    np.random.seed(13)
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True

    def log(msg: str) -> None:
        print(f"[{time.time() - t0:6.1f}s] {msg}", flush=True)

    def rows(name: str) -> list[dict]:
        with open(f"{data_dir}/{name}.jsonl", encoding="utf-8") as f:
            return [json.loads(line) for line in f]

    with lzma.open(f"{data_dir}/corpus.txt.xz", "rt", encoding="utf-8") as handle:
        corpus = handle.read().split("\n")
    if tiny:
        corpus = corpus[:3000]
    log(f"corpus {len(corpus)} texts on {device}")

    wp = BertWordPieceTokenizer(lowercase=True, strip_accents=False, clean_text=True)
    wp.train_from_iterator(
        corpus,
        vocab_size=12000,
        min_frequency=3,
        special_tokens=["[pad]", "[UNK]", "[cls]", "[sep]", "[mask]"],
    )
    os.makedirs(f"{work}/tk", exist_ok=True)
    wp.save_model(f"{work}/tk")
    tok = BertTokenizerFast(f"{work}/tk/vocab.txt", do_lower_case=True, strip_accents=False)
    vocab = tok.vocab_size
    pad, cls, sep, mask = (
        tok.convert_tokens_to_ids(t) for t in ["[pad]", "[cls]", "[sep]", "[mask]"]
    )
    log(f"vocabulary {vocab}")

    # Pretraining blocks: documents joined with [sep], cut into seq-2 pieces, framed by cls/sep.
    stream: list[int] = []
    for start in range(0, len(corpus), 4096):
        for ids in tok(corpus[start : start + 4096], add_special_tokens=False)["input_ids"]:
            stream.extend(ids)
            stream.append(sep)
    body = seq - 2
    n_blocks = len(stream) // body
    blocks = torch.tensor(stream[: n_blocks * body], dtype=torch.long).view(n_blocks, body)
    blocks = torch.cat([torch.full((n_blocks, 1), cls), blocks, torch.full((n_blocks, 1), sep)], 1)
    blocks = blocks.to(device)
    log(f"pretraining tokens {len(stream):,}, blocks {n_blocks:,}")

    config = BertConfig(
        vocab_size=vocab,
        hidden_size=256,
        num_hidden_layers=6,
        num_attention_heads=4,
        intermediate_size=1024,
        max_position_embeddings=seq + 2,
        pad_token_id=pad,
    )
    mlm = BertForMaskedLM(config).to(device)
    opt = torch.optim.AdamW(mlm.parameters(), lr=7e-4, betas=(0.9, 0.98), weight_decay=0.01)
    batch_size = 256 if not tiny else 16
    warmup = 300 if not tiny else 5
    step, losses = 0, []
    began = time.time()
    mlm.train()
    while time.time() - began < seconds:
        idx = torch.randint(0, n_blocks, (batch_size,), device=device)
        inputs = blocks[idx].clone()
        labels = inputs.clone()
        special = (inputs == cls) | (inputs == sep) | (inputs == pad)
        chosen = (torch.rand(inputs.shape, device=device) < 0.15) & ~special
        labels[~chosen] = -100
        roll = torch.rand(inputs.shape, device=device)
        inputs[chosen & (roll < 0.8)] = mask
        swap = chosen & (roll >= 0.8) & (roll < 0.9)
        inputs[swap] = torch.randint(5, vocab, (int(swap.sum()),), device=device)
        frac = (time.time() - began) / seconds
        for group in opt.param_groups:
            group["lr"] = 7e-4 * min(1.0, (step + 1) / warmup) * max(0.02, 1.0 - frac)
        with torch.autocast(device, dtype=torch.bfloat16, enabled=device == "cuda"):
            loss = mlm(input_ids=inputs, labels=labels).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(mlm.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        losses.append(loss.item()) if step % 50 == 0 else None
        if step % 1000 == 0:
            log(f"step {step} loss {loss.item():.3f}")
        step += 1
    log(
        f"pretrained {step} steps x {batch_size} blocks "
        f"({step * batch_size * seq / 1e6:.0f}M tokens), "
        f"last loss {losses[-1]:.3f}"
    )
    mlm.save_pretrained(f"{work}/pre")
    tok.save_pretrained(f"{work}/pre")

    def encode(texts: list[str]) -> dict:
        return tok(texts, truncation=True, max_length=seq, padding=True, return_tensors="pt")

    def probabilities(model, texts: list[str]) -> np.ndarray:
        model.eval()
        out = []
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        with torch.no_grad():
            for s in range(0, len(order), 256):
                rows_ = order[s : s + 256]
                enc = {k: v.to(device) for k, v in encode([texts[i] for i in rows_]).items()}
                with torch.autocast(device, dtype=torch.bfloat16, enabled=device == "cuda"):
                    logits = model(**enc).logits.float()
                out.append((rows_, torch.softmax(logits, -1)[:, 1].cpu().numpy()))
        result = np.zeros(len(texts))
        for rows_, p in out:
            result[rows_] = p
        return result

    def f1(gold: np.ndarray, pred: np.ndarray) -> float:
        tp = float(((gold == 1) & (pred == 1)).sum())
        fp = float(((gold == 0) & (pred == 1)).sum())
        fn = float(((gold == 1) & (pred == 0)).sum())
        return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)

    victsd = rows("uit_victsd_train")
    rng = random.Random(13)  # noqa: S311 - a reproducible split
    rng.shuffle(victsd)
    held = victsd[: len(victsd) // 10]
    fit_rows = victsd[len(victsd) // 10 :]
    dev = rows("uit_victsd_dev")
    vihsd = [
        {"text": r["text"], "label": "non_toxic" if r["label"] == "clean" else "toxic"}
        for r in rows("vihsd_train")
    ]
    if tiny:
        fit_rows, held, dev, vihsd = fit_rows[:200], held[:100], dev[:200], vihsd[:200]

    def finetune(
        name: str, train: list[dict], epochs: int, lr: float
    ) -> tuple[float, float, float]:
        torch.manual_seed(13)
        model = BertForSequenceClassification.from_pretrained(f"{work}/pre", num_labels=2).to(
            device
        )
        texts = [r["text"] for r in train]
        gold = torch.tensor([1 if r["label"] == "toxic" else 0 for r in train])
        optim = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
        steps = epochs * ((len(texts) + 31) // 32)
        done = 0
        for _ in range(epochs):
            model.train()
            for batch in torch.randperm(len(texts)).split(32):
                enc = {k: v.to(device) for k, v in encode([texts[i] for i in batch]).items()}
                for group in optim.param_groups:
                    group["lr"] = lr * min(1.0, (done + 1) / (0.1 * steps)) * (1 - done / steps)
                with torch.autocast(device, dtype=torch.bfloat16, enabled=device == "cuda"):
                    loss = model(**enc, labels=gold[batch].to(device)).loss
                loss.backward()
                optim.step()
                optim.zero_grad(set_to_none=True)
                done += 1
        held_gold = np.array([1 if r["label"] == "toxic" else 0 for r in held])
        dev_gold = np.array([1 if r["label"] == "toxic" else 0 for r in dev])
        p_held = probabilities(model, [r["text"] for r in held])
        p_dev = probabilities(model, [r["text"] for r in dev])
        grid = np.linspace(0.05, 0.95, 91)
        best = max(grid, key=lambda t: f1(held_gold, (p_held >= t).astype(int)))
        at_half = f1(dev_gold, (p_dev >= 0.5).astype(int))
        at_best = f1(dev_gold, (p_dev >= best).astype(int))
        log(
            f"{name}: dev toxic F1 {at_half:.4f} at 0.5, {at_best:.4f} at {best:.2f} (chosen on "
            f"held-out train, F1 there {f1(held_gold, (p_held >= best).astype(int)):.4f})"
        )
        if at_best >= 0.55:
            path = f"{out_dir}/{name}"
            model.half().save_pretrained(path)
            tok.save_pretrained(path)
            with open(f"{path}/threshold.json", "w") as f:
                json.dump({"threshold": float(best), "dev_toxic_f1": at_best}, f)
        return at_half, at_best, float(best)

    results = {}
    results["victsd"] = finetune("victsd", fit_rows, epochs=4, lr=1e-4)
    results["victsd+vihsd"] = finetune("victsd_vihsd", fit_rows + vihsd, epochs=3, lr=1e-4)
    results["victsd lr5e-5 6ep"] = finetune("victsd_b", fit_rows, epochs=6, lr=5e-5)
    log(json.dumps(results))


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "prepare":
        prepare(Path(sys.argv[2]))
    elif len(sys.argv) >= 4 and sys.argv[1] == "run":
        run(sys.argv[2], float(sys.argv[3]), small=len(sys.argv) > 4)
    else:
        sys.exit(__doc__)
