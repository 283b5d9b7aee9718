#!/usr/bin/env bash
# Rate-distortion-accuracy curves of the learned codec against JPEG, WebP and the ATL LeNet, on one data set.
#
#   bash examples/learned_codec.sh mnist|fashion_mnist|cifar10 [DATA_DIR]
#
# One model per lambda: a base model trained at one lambda, then every lambda fine-tuned from it at a third
# of the learning rate (a warm start that saves most of the epochs of training each rate from scratch). Then
# the ATL LeNet by ATL and by the classifier-driven recipe, and `jointcomp rd` on all of them, with JPEG and
# WebP whose decoded images train a LeNet classifier each. Writes runs/learned_codec/<data set>/ and
# runs/learned_codec/rd_<data set>.{json,png}. About an hour per data set on a 2-core CPU. BASE_EPOCHS,
# FINE_TUNE_EPOCHS, BASELINE_EPOCHS (0: JPEG and WebP bytes and PSNR only, no classifiers) and SKIP_ATL=1 (no
# ATL LeNet curves) shorten it.
set -euo pipefail
batch=64 fine_tune_epochs=2 base_beta=4
dataset=${1:?data set: mnist, fashion_mnist or cifar10}
data_dir=${2:-${JOINTCOMP_DATA_DIR:-../shared/datasets}}
out=runs/learned_codec/$dataset
mkdir -p "$out"
data=(--dataset "$dataset" --data-dir "$data_dir")
case $dataset in
  cifar10) model=factorized_cifar; base_lambda=250; base_epochs=${BASE_EPOCHS:-4}; fine_tune_epochs=1; batch=32; base_beta=1
           points=("60 1" "150 1" "400 1" "1000 1" "2500 1") ;;
  fashion_mnist) model=factorized_mnist; base_lambda=1000; base_epochs=${BASE_EPOCHS:-5}
     points=("2 4" "5 4" "20 4" "60 4" "200 4" "1000 4" "4000 4" "15000 4") ;;
  *) model=factorized_mnist; base_lambda=1000; base_epochs=${BASE_EPOCHS:-5}
     points=("20 4" "60 4" "200 4" "1000 4" "4000 4" "15000 4") ;;
esac
train() { jointcomp train "$model" --method rate-distortion "${data[@]}" --batch-size "$batch" "$@"; }

[ -f "$out/base.keras" ] || train --lmbda "$base_lambda" --beta "$base_beta" --epochs "$base_epochs" --out "$out/base.keras"
models=() labels=()
for point in "${points[@]}"; do
  read -r lmbda beta <<<"$point"
  file=$out/lambda_${lmbda}_beta_${beta}.keras
  [ -f "$file" ] || train --from-model "$out/base.keras" --learning-rate 3e-4 --epochs ${FINE_TUNE_EPOCHS:-$fine_tune_epochs} \
    --lmbda "$lmbda" --beta "$beta" --out "$file"
  models+=("$file") labels+=(--label "$model")
done
if [ -z "${SKIP_ATL:-}" ]; then
  [ -f "$out/atl.keras" ] || jointcomp train atl_lenet --method atl "${data[@]}" --epoch-sets 5 --epochs 3 --out "$out/atl.keras"
  [ -f "$out/cd.keras" ] || jointcomp train atl_lenet --method classifier-driven "${data[@]}" --epochs 5 --out "$out/cd.keras"
  models+=("$out/atl.keras" "$out/cd.keras") labels+=(--label "atl_lenet ATL" --label "atl_lenet classifier-driven")
fi
jointcomp rd "${models[@]}" "${labels[@]}" "${data[@]}" --step-scales 1 --baseline-model atl_lenet \
  --baseline-epochs ${BASELINE_EPOCHS:-5} --jpeg-qualities 1,5,10,20,30,40 --webp-qualities 0,5,10,20,30,40 \
  --out "runs/learned_codec/rd_$dataset" --overwrite
