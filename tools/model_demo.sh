#!/usr/bin/env bash
# The model-level tour: make an example int8 model, inspect
# it, run it with Kiln's kernels, compile it, profile it on QEMU, and check the golden models.
set -euo pipefail
KILN=${1:-build/src/kiln}
OUT=${2:-out/demo}
mkdir -p "$OUT"

echo "== kiln example: generate a small int8 model and an input"
"$KILN" example -o "$OUT"

echo "== kiln inspect"
"$KILN" inspect "$OUT/example.tflite"

echo "== kiln run"
"$KILN" run "$OUT/example.tflite" --input "$OUT/example_input.bin" --output "$OUT/example_output.bin"
echo "output (int8 probabilities, scale 1/256, zero point -128):"
od -An -td1 -v "$OUT/example_output.bin"

echo "== kiln compile: standalone C++ with a static memory plan, built with make"
"$KILN" compile "$OUT/example.tflite" -o "$OUT/example_cpp" --name example
make -s -C "$OUT/example_cpp" -j2 example_run
"$OUT/example_cpp/example_run" "$OUT/example_input.bin" "$OUT/example_output_compiled.bin"
if cmp -s "$OUT/example_output.bin" "$OUT/example_output_compiled.bin"; then
  echo "compiled code output is identical to kiln run"
else
  echo "compiled code output DIFFERS from kiln run" >&2
  exit 1
fi

echo "== kiln profile: the compiled model on an emulated Cortex-M4 (QEMU mps2-an386), exact counts"
"$KILN" profile --model "$OUT/example.tflite" --input "$OUT/example_input.bin"

if [ -d ../shared/testdata/tflite ]; then
  echo "== kiln run on the shared golden models (bit-exact check against TFLM)"
  for dir in ../shared/testdata/tflite/*/; do
    name=$(basename "$dir")
    "$KILN" run "$dir/model.tflite" --input "$dir/input_0.bin" --output "$OUT/$name.out"
    if cmp -s "$OUT/$name.out" "$dir/output_0.bin"; then echo "  $name: identical"; else echo "  $name: DIFFERENT"; exit 1; fi
  done
fi
echo "demo finished: outputs in $OUT"
