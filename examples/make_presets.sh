#!/usr/bin/env bash
# Train (or package) the presets shipped in keras_jointcomp/presets/shipped/, each by the command its
# metadata.json records. Usage: bash examples/make_presets.sh GROUP [DATA_DIR]
#   GROUP: learned-codec | atl | multi-encoder | faces | imbalanced-cifar | fast-cifar | all
#   DATA_DIR: default ../shared/datasets
# learned-codec packages the rate-distortion codecs that examples/learned_codec.sh trains (run first if missing);
# atl trains atl_lenet by ATL at the study's settings (about 25 minutes each on a 2-core CPU);
# multi-encoder packages the best 16-bit MNIST row of examples/scott_quantization.py (trained first if missing);
# faces packages the control and the 12-units-pruned autoencoder of examples/martin_faces.py (trained first
# if missing, about 20 minutes), measured on cmu_faces' held-out test fifth (their validation set);
# imbalanced-cifar the joint model of examples/cifar10_ae_features.py at CPU scale (trained first if missing,
# about 15 minutes);
# fast-cifar trains the airbench models of the three CIFAR studies with --fast.
set -euo pipefail
group=${1:?usage: make_presets.sh learned-codec|atl|multi-encoder|faces|imbalanced-cifar|fast-cifar|all [DATA_DIR]}
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

multi_encoder() {  # row 3 (straight-through quantize), the best rounded accuracy after hard-bit fine-tuning
  [ -f runs/scott/3_multi_encoder_mnist.keras ] || \
    python examples/scott_quantization.py --data-dir "$data_dir" --cifar none --out-dir runs/scott
  jointcomp save-preset runs/scott/3_multi_encoder_mnist.keras --model multi_encoder_mnist --dataset mnist \
    --data-dir "$data_dir" --recipe joint-hard-bits --commit "${MULTI_ENCODER_COMMIT:-$(git rev-parse HEAD)}" \
    --command "python examples/scott_quantization.py --data-dir ../shared/datasets --cifar none --out-dir runs/scott (row 3 Simple Quantize: 3_multi_encoder_mnist.keras)" \
    --description "multiple-encoder quantization, 4 encoders x 4 bits = 16 bits, straight-through quantize (row 3), hard-bit fine-tuned (MNIST)" \
    --out "$shipped/multi_encoder_mnist/mnist-16bits" --overwrite
}

faces() {  # the cosine-decay run of docs/results.md: control <= 0.03 L1, pruned within 10 % of it
  local folder=runs/martin_faces_cosine
  local run="python examples/martin_faces.py --data-dir ../shared/datasets --epochs 520 --prune-every 40 --cosine-decay --out-dir $folder"
  [ -f "$folder/pruned.keras" ] || $run --data-dir "$data_dir"
  for network in control pruned; do
    jointcomp save-preset "$folder/$network.keras" --model faces_conv_ae --dataset cmu_faces --data-dir "$data_dir" \
      --recipe distinctiveness-pruning --commit "${FACES_COMMIT:-$(git rev-parse HEAD)}" \
      --command "$run ($network.keras)" \
      --description "convolutional faces autoencoder, $( [ $network = control ] && echo "control, 128 latent units" || echo "12 of 128 latent units pruned by distinctiveness")" \
      --out "$shipped/faces_conv_ae/cmu_faces-$network" --overwrite
  done
}

imbalanced_cifar() {  # the CPU-scale run of docs/results.md (8,000 images; --fast, all images, takes hours here)
  [ -f runs/cifar_cpu/joint-weighted.keras ] || \
    python examples/cifar10_ae_features.py --data-dir "$data_dir" --out-dir runs/cifar_cpu
  jointcomp save-preset runs/cifar_cpu/joint-weighted.keras --model cifar_conv_ae --dataset cifar10 \
    --data-dir "$data_dir" --recipe joint-weighted --commit "${IMBALANCED_COMMIT:-$(git rev-parse HEAD)}" \
    --command "python examples/cifar10_ae_features.py --data-dir ../shared/datasets --out-dir runs/cifar_cpu (joint-weighted.keras)" \
    --description "joint conv AE + classifier on CIFAR-10 with bird, deer and truck halved (class weights, study augmentations; CPU scale: 8,000 training images)" \
    --out "$shipped/cifar_conv_ae/cifar10-imbalanced-joint" --overwrite
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
  multi-encoder) multi_encoder ;;
  faces) faces ;;
  imbalanced-cifar) imbalanced_cifar ;;
  fast-cifar) fast_cifar ;;
  all) for each in learned-codec atl multi-encoder faces imbalanced-cifar fast-cifar; do "$0" "$each" "$data_dir"; done ;;
  *) echo "unknown group $group" >&2; exit 2 ;;
esac
