import json

import numpy as np
import pytest

from keras_jointcomp import reports


def test_confusion_matrix_counts_true_rows_and_predicted_columns():
    labels = np.array([0, 0, 1, 1, 1, 2])
    predicted = np.array([0, 1, 1, 1, 2, 0])
    expected = [[1, 1, 0],
                [0, 2, 1],
                [1, 0, 0]]
    np.testing.assert_array_equal(reports.confusion_matrix(labels, predicted), expected)
    assert reports.confusion_matrix(labels, predicted, num_classes=4).shape == (4, 4)
    with pytest.raises(ValueError, match="0..1"):
        reports.confusion_matrix(labels, predicted, num_classes=2)
    with pytest.raises(ValueError, match="6 labels but 5"):
        reports.confusion_matrix(labels, predicted[:5])


def test_precision_and_recall_from_a_hand_computed_matrix():
    confusion = np.array([[1, 1, 0],
                          [0, 2, 1],
                          [1, 0, 0]])
    scores = reports.precision_recall(confusion)
    np.testing.assert_allclose(scores["precision"], [1 / 2, 2 / 3, 0 / 1])
    np.testing.assert_allclose(scores["recall"], [1 / 2, 2 / 3, 0 / 1])
    assert np.isnan(scores["f1"][2])  # precision and recall both zero
    never_predicted = reports.precision_recall([[2, 0], [1, 0]])
    assert np.isnan(never_predicted["precision"][1]) and never_predicted["recall"][1] == 0


def test_classification_report_is_json_ready_and_names_classes():
    report = reports.classification_report([0, 0, 1, 2], [0, 1, 1, 1], ["cat", "dog", "bird"])
    assert report["accuracy"] == 0.5 and report["confusion"] == [[1, 1, 0], [0, 1, 0], [0, 1, 0]]
    assert report["per_class"]["dog"] == {"precision": pytest.approx(1 / 3), "recall": 1.0, "f1": 0.5,
                                          "support": 1}
    assert report["per_class"]["bird"]["precision"] is None  # never predicted
    json.dumps(report)
    table = reports.confusion_markdown(report["confusion"], report["classes"])
    assert "| true \\ predicted | cat | dog | bird |" in table and "| bird | 0 | 1 | 0 |" in table


def test_reconstruction_errors_are_per_image_mse_on_unit_pixels():
    images = np.zeros((2, 2, 2, 1), np.uint8)
    images[1] = 255
    reconstructions = np.zeros((2, 2, 2, 1), np.float32)
    reconstructions[0, 0, 0, 0] = 0.5
    np.testing.assert_allclose(reports.reconstruction_errors(images, reconstructions), [0.25 / 4, 1.0])
    with pytest.raises(ValueError, match="differ in shape"):
        reports.reconstruction_errors(images, reconstructions[:1])


def test_auroc_is_the_probability_that_an_anomaly_scores_higher():
    assert reports.auroc([0.1, 0.2], [0.3, 0.4]) == 1.0
    assert reports.auroc([0.3, 0.4], [0.1, 0.2]) == 0.0
    assert reports.auroc([0.5, 0.5], [0.5]) == 0.5
    # pairs (normal, anomalous): 1 < 2 wins, 3 > 2 loses, 1 < 3 wins, 3 = 3 ties -> (1 + 0 + 1 + 0.5) / 4
    assert reports.auroc([1.0, 3.0], [2.0, 3.0]) == pytest.approx(2.5 / 4)


def test_anomaly_report_thresholds_at_a_percentile_of_the_reference_errors():
    reference = np.arange(1, 101, dtype=float)  # 1..100
    assert reports.anomaly_threshold(reference, 90) == pytest.approx(90.1)
    report = reports.anomaly_report(reference, [10.0, 95.0], [200.0, 50.0], percentile=90)
    assert report["normal_flagged"] == 0.5 and report["anomalous_flagged"] == 0.5
    assert report["auroc"] == pytest.approx(0.75)
    assert "auroc" not in reports.anomaly_report(reference, [10.0])
    with pytest.raises(ValueError, match="percentile"):
        reports.anomaly_threshold(reference, 101)
