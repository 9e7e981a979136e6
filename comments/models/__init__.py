"""Models: the TF-IDF baseline, the MiniLM classifier (trained in torch, served in ONNX Runtime),
calibration, thresholds and the bundle that ships them.

Serving modules (`bundle`, `onnx_runtime`, `baseline`, `calibrate`) import no torch or transformers.
"""
