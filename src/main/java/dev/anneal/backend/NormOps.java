package dev.anneal.backend;

/**
 * Batch normalisation (Ioffe and Szegedy 2015) as PyTorch's {@code BatchNorm1d/2d}, over a {@code rows x C}
 * matrix: the features of {@code [N, C]} data, or channels-last images {@code [N, H, W, C]} seen as
 * {@code N*H*W} rows of {@code C} channels. Per channel {@code c}, over the {@code R} rows, with sums accumulated
 * in double in a fixed order:
 * <ul>
 *   <li>training: {@code mean = sum x / R}, {@code var = sum (x - mean)^2 / R} (biased),
 *       {@code invstd = 1 / sqrt(var + eps)}, {@code y = (x - mean) * invstd * gamma + beta}; the running
 *       statistics move by {@code running = (1 - momentum) * running + momentum * stat}, with the unbiased
 *       {@code var * R / (R - 1)} for the variance;</li>
 *   <li>evaluation: {@code y = (x - running_mean) / sqrt(running_var + eps) * gamma + beta};</li>
 *   <li>backward, with {@code xhat = (x - mean) * invstd}: {@code dbeta += sum dy}, {@code dgamma += sum dy *
 *       xhat}, {@code dx = gamma * invstd / R * (R dy - sum dy - xhat * sum dy xhat)} (overwritten).</li>
 * </ul>
 * Deterministic: the same bits every run.
 */
public interface NormOps {
    /**
     * Training-mode forward. {@code running[meanOffset..+C)} and {@code running[varOffset..+C)} are updated in
     * place; {@code saved[savedOffset..+C)} receives the batch mean and {@code saved[savedOffset+C..+2C)} the
     * inverse std, for {@link #batchNormBackward}. {@code gamma} and {@code beta} are {@code 1 x C} views;
     * {@code y} must not overlap {@code x}. Needs {@code R >= 2} (PyTorch refuses one value per channel).
     */
    void batchNormTraining(Mat x, Mat gamma, Mat beta, float eps, float momentum, FloatArray running,
                           long meanOffset, long varOffset, FloatArray saved, long savedOffset, Mat y);

    /** Evaluation-mode forward with the running statistics; {@code y} may be {@code x} itself. */
    void batchNormInference(Mat x, Mat gamma, Mat beta, float eps, FloatArray running, long meanOffset,
                            long varOffset, Mat y);

    /**
     * Backward of {@link #batchNormTraining} from its {@code saved} statistics: {@code dx} overwritten (it may be
     * {@code dy} itself), {@code dGamma} and {@code dBeta} ({@code 1 x C}) accumulated.
     */
    void batchNormBackward(Mat x, Mat dy, Mat gamma, FloatArray saved, long savedOffset, Mat dx, Mat dGamma,
                           Mat dBeta);
}
