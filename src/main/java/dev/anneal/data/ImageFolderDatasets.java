package dev.anneal.data;

import dev.anneal.spec.BadInput;
import java.nio.file.Path;

/**
 * {@code dataset: image_folder}: the training images from {@code data.path} ({@code ROOT/<class>/*.png}, read by
 * {@link ImageFolderReader}: resized to {@code data.image_size}, converted to {@code data.color}, pixels in
 * [0, 1], NCHW), the test images from {@code data.test_path} with the training set's class mapping, and with
 * {@code data.validation_split} a stratified seeded hold-out of the training images as the validation set
 * ({@link Datasets}); one of the two is needed.
 * With {@code data.normalize: true} the features are standardised by the training images' global mean and sample
 * standard deviation, as for the IDX datasets ({@link NormalizationStatistics#ofValues}); with {@code per_channel}
 * by each channel's (one for grayscale, so the same bits as {@code true}; R, G and B for rgb, as torchvision's
 * {@code Normalize(mean=[...], std=[...])} with the dataset's statistics). The class names are the folder names.
 */
final class ImageFolderDatasets {
    private ImageFolderDatasets() {
    }

    static Datasets load(DataSpec spec, long seed, Normalization fixed) {
        int height = spec.imageSize().get(0);
        int width = spec.imageSize().get(1);
        Path root = Path.of(spec.path());
        ImageFolderData train = ImageFolderReader.read(root, height, width, spec.color(), null);
        int classes = train.classNames().size();
        if (spec.classes() != null && spec.classes() != classes) {
            throw new BadInput("data.classes is " + spec.classes() + " but " + root + " has " + classes
                    + " class folders " + train.classNames() + "; remove data.classes");
        }
        if (classes < 2) {
            throw new BadInput(root + " has one class folder " + train.classNames() + "; a classifier needs at least "
                    + "two: add a folder per class");
        }
        int d = train.featuresPerImage();
        RawFeatures trainX = new RawFeatures(null, train.pixels(), train.n(), d, train.channels());
        int[] trainLabels = train.labels();
        RawFeatures testX = null;
        int[] testLabels = null;
        if (spec.testPath() != null) {
            ImageFolderData test = ImageFolderReader.read(Path.of(spec.testPath()), height, width, spec.color(),
                    train.classNames());
            testX = new RawFeatures(null, test.pixels(), test.n(), d, test.channels());
            testLabels = test.labels();
        } else if (spec.validationSplit() == null) {
            throw new BadInput(root + ": an image folder has no test set of its own; set data.test_path to a folder "
                    + "of the same classes, or hold out part of the training images with data.validation_split: 0.1");
        }
        return Datasets.assemble(spec, seed, trainX, trainLabels, testX, testLabels, classes, root.toString(),
                train.classNames(), fixed).withSampleShape(train.channels(), height, width);
    }
}
