/*
 * Copyright 2026 The Gatehouse Authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

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
