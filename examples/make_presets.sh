#!/usr/bin/env bash
# Train (or package) the presets shipped in keras_jointcomp/presets/shipped/, each by the command its
# metadata.json records. Usage: bash examples/make_presets.sh GROUP [DATA_DIR]
#   GROUP: learned-codec | atl | fast-cifar | all       DATA_DIR: default ../shared/datasets
# learned-codec packages the rate-distortion codecs that examples/learned_codec.sh trains (run first if missing);
# atl trains atl_lenet by ATL at the study's settings (about 25 minutes each on a 2-core CPU);
# fast-cifar trains the airbench models of the three CIFAR studies with --fast.
set -euo pipefail
group=${1:?usage: make_presets.sh learned-codec|atl|fast-cifar|all [DATA_DIR]}
data_dir=${2:-../shared/datasets}
shipped=keras_jointcomp/presets/shipped
mkdir -p runs/presets

learned_codec() {  # dataset lambdas...
  local dataset=$1; shift
  local folder=runs/learned_codec/$dataset
  [ -f "$folder/base.keras" ] || bash examples/learned_codec.sh "$dataset" "$data_dir"
  for lmbda in "$@"; do
    jointcomp save-preset "$folder/lambda_${lmbda}_beta_4.keras" --model factorized_mnist --dataset "$dataset" \
      --data-dir "$data_dir" --recipe rate-distortion \
      --command "bash examples/learned_codec.sh $dataset $data_dir (base: jointcomp train factorized_mnist --method rate-distortion --dataset $dataset --data-dir $data_dir --batch-size 64 --lmbda 1000 --epochs 5 --out base.keras; then jointcomp train factorized_mnist --method rate-distortion --dataset $dataset --data-dir $data_dir --batch-size 64 --from-model base.keras --learning-rate 3e-4 --epochs 2 --lmbda $lmbda --beta 4)" \
      --commit "${LEARNED_CODEC_COMMIT:-$(git rev-parse HEAD)}" \
      --description "learned rate-distortion-accuracy codec, lambda $lmbda, beta 4 ($dataset)" \
      --out "$shipped/factorized_mnist/$dataset-lambda$lmbda" --overwrite
  done
}

atl() {  # dataset
  jointcomp train atl_lenet --method atl --dataset "$1" --data-dir "$data_dir" --epoch-sets 25 --epochs 10 \
    --out "runs/presets/atl_lenet-$1.keras" --overwrite --save-preset "$shipped/atl_lenet/$1" \
    --description "ATL LeNet at the study's settings (25 epoch sets, heads fine-tuned 10 epochs), $1"
}

fast_cifar() {
  jointcomp train ldr_airbench --method ce-t --fast --epochs "${CET_EPOCHS:-10}" --dataset cifar10 \
    --data-dir "$data_dir" --out runs/presets/ldr_airbench-cet.keras --overwrite \
    --save-preset "$shipped/ldr_airbench/cifar10-ce-t" \
    --description "hierarchical LDR, CE-T on the airbench backbone, d_y = 64 float latent (CIFAR-10)"
}

case $group in
  learned-codec) learned_codec mnist 60 1000 15000; learned_codec fashion_mnist 5 200 4000 ;;
  atl) atl mnist; atl fashion_mnist ;;
  fast-cifar) fast_cifar ;;
  all) "$0" learned-codec "$data_dir"; "$0" atl "$data_dir"; "$0" fast-cifar "$data_dir" ;;
  *) echo "unknown group $group" >&2; exit 2 ;;
esac
