#!/usr/bin/env bash
# GPU check for an NVIDIA machine: builds AnomalyClip with the CUDA libtorch (-p:TorchBackend=cuda, in place: run a
# plain `dotnet build -c Release` afterwards to return to the CPU build), runs the golden parity tests on CUDA in
# fp32 (DeviceParityTests with ANOMALYCLIP_TEST_DEVICE=cuda) and times `bench predict` (random ViT-L-14-336 at
# 518 px, k = 4) in fp16 and bf16 at batch 1 and 32, printing one line per figure.
# Exit code: 0 when everything ran and passed, 1 when a step failed, 2 when there is no usable GPU. It never
# passes silently on a machine without one.
# Usage: scripts/gpu-check.sh        (from anywhere; DEVICE=cuda:N picks another GPU)
set -uo pipefail

# Before anything else, and with shell built-ins only, so that the answer is clear even on a bare machine.
if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "gpu-check: no NVIDIA GPU here (nvidia-smi not found); nothing was checked" >&2
  exit 2
fi
if ! gpu=$(nvidia-smi --query-gpu=name,compute_cap --format=csv,noheader 2>&1) || [[ -z "$gpu" ]]; then
  echo "gpu-check: no usable NVIDIA GPU here (nvidia-smi failed: ${gpu%%$'\n'*}); nothing was checked" >&2
  exit 2
fi

cd "${BASH_SOURCE[0]%/*}/.." || exit 1
device=${DEVICE:-cuda}
export OMP_WAIT_POLICY=PASSIVE
failed=0
echo "gpu: ${gpu%%$'\n'*}"

if dotnet build AnomalyClip.sln -c Release -p:TorchBackend=cuda >/tmp/gpu-check-build.log 2>&1; then
  echo "build (TorchBackend=cuda): ok"
else
  echo "build (TorchBackend=cuda): FAILED (log: /tmp/gpu-check-build.log)"
  exit 1
fi

if ANOMALYCLIP_TEST_DEVICE=$device dotnet test tests/AnomalyClip.Tests -c Release --no-build \
    --filter "FullyQualifiedName~DeviceParityTests" >/tmp/gpu-check-parity.log 2>&1; then
  echo "parity on $device, fp32: passed ($(grep -o 'Passed: *[0-9]*' /tmp/gpu-check-parity.log | tail -1))"
else
  echo "parity on $device, fp32: FAILED (log: /tmp/gpu-check-parity.log)"
  failed=1
fi

# One JSON field of the bench's indented output ("key": value,).
field() { sed -n "s/^ *\"$1\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p" <<<"$2"; }

for dtype in fp16 bf16; do
  for batch in 1 32; do
    label="bench predict ViT-L-14-336 @518 k=4 $device $dtype batch $batch"
    if json=$(dotnet src/Cli/bin/Release/net10.0/anomalyclip.dll bench predict --random-weights --device "$device" \
        --dtype "$dtype" --batch "$batch" --iterations 3 --json 2>/tmp/gpu-check-bench.log); then
      echo "$label: zero-shot $(field zero_shot_ms "$json") ms/image"
      echo "$label: few-shot $(field few_shot_ms "$json") ms/image"
    else
      echo "$label: FAILED ($(tail -1 /tmp/gpu-check-bench.log))"
      failed=1
    fi
  done
done
exit $failed
