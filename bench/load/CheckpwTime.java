import org.mindrot.jbcrypt.BCrypt;

import java.util.Arrays;

/**
 * The reference for the login latency: the median time of one {@code BCrypt.checkpw} at a cost,
 * in milliseconds. Usage: {@code java -cp jbcrypt.jar CheckpwTime.java <cost> <samples>}
 */
public class CheckpwTime {
    public static void main(String[] args) {
        int cost = Integer.parseInt(args[0]);
        int samples = Integer.parseInt(args[1]);
        String hash = BCrypt.hashpw("load-test-password", BCrypt.gensalt(cost));
        for (int i = 0; i < 2; i++) {
            BCrypt.checkpw("load-test-password", hash); // warm-up
        }
        double[] ms = new double[samples];
        for (int i = 0; i < samples; i++) {
            long start = System.nanoTime();
            if (!BCrypt.checkpw("load-test-password", hash)) {
                throw new IllegalStateException("checkpw refused its own hash");
            }
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(ms);
        System.out.printf(java.util.Locale.ROOT, "%.1f%n", ms[samples / 2]);
    }
}
