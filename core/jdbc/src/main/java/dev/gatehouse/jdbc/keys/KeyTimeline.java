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

package dev.gatehouse.jdbc.keys;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rules of key rotation, applied to the rows of {@code gh_signing_keys}: which key signs,
 * which keys verify and are published, and what has to happen next. Pure (no I/O, no clock of
 * its own) and immutable, so that every node that has loaded the same rows reaches the same
 * answer for the same instant.
 *
 * <ul>
 *   <li>A key <em>took over</em> at its {@code activates_at} unless it was revoked before then.</li>
 *   <li>A key is <em>superseded</em> (retired) from the first moment a later generation took over,
 *       or from its recorded {@code retired_at}. A retired key never signs again, even if the key
 *       that took over is revoked later.</li>
 *   <li>The <em>active</em> key is the non-revoked key of the highest generation whose
 *       {@code activates_at} has come, provided it is not superseded. There may be none (when the
 *       active key was just revoked); then a replacement has to be activated.</li>
 *   <li>A key <em>verifies</em> unless revoked or superseded for longer than the token lifetime,
 *       and is <em>published</em> when, in addition, its activation is at most the publish lead
 *       away.</li>
 * </ul>
 */
final class KeyTimeline {
    private final List<KeyRow> rows;
    private final Map<String, KeyRow> byKid;
    /** For each row (by kid): the earliest take-over of a later generation, or absent. */
    private final Map<String, Instant> nextTakeOver;
    private final Duration tokenLifetime;
    private final Duration publishLead;
    /** The highest generation any row of the table holds, trusted or not: new keys go above it. */
    private final int reservedGeneration;

    KeyTimeline(List<KeyRow> rows, Duration tokenLifetime, Duration publishLead) {
        this(rows, tokenLifetime, publishLead, 0);
    }

    /**
     * The timeline of {@code rows} (the trusted rows of the table), new keys taking a generation
     * above both theirs and {@code reservedGeneration} (the highest of the rows left out, which
     * still hold theirs in the table's unique index).
     */
    KeyTimeline(List<KeyRow> rows, Duration tokenLifetime, Duration publishLead, int reservedGeneration) {
        List<KeyRow> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparingInt(KeyRow::generation));
        this.rows = Collections.unmodifiableList(sorted);
        this.tokenLifetime = tokenLifetime;
        this.publishLead = publishLead;
        this.reservedGeneration = reservedGeneration;
        Map<String, KeyRow> map = new LinkedHashMap<>();
        Map<String, Instant> next = new LinkedHashMap<>();
        Instant earliestLater = null;
        for (int i = sorted.size() - 1; i >= 0; i--) {
            KeyRow row = sorted.get(i);
            map.put(row.kid(), row);
            if (earliestLater != null) {
                next.put(row.kid(), earliestLater);
            }
            Instant took = row.tookOverAt();
            if (took != null && (earliestLater == null || took.isBefore(earliestLater))) {
                earliestLater = took;
            }
        }
        this.byKid = map;
        this.nextTakeOver = next;
    }

    List<KeyRow> rows() {
        return rows;
    }

    KeyRow row(String kid) {
        return byKid.get(kid);
    }

    /** The highest generation taken in the table, by these rows or by rows left out of them. */
    int maxGeneration() {
        return Math.max(reservedGeneration, rows.isEmpty() ? 0 : rows.get(rows.size() - 1).generation());
    }

    /** This timeline with one row revoked (what a revocation does, before the table is read again). */
    KeyTimeline withRevoked(String kid, Instant at) {
        List<KeyRow> changed = new ArrayList<>(rows.size());
        for (KeyRow row : rows) {
            changed.add(row.kid().equals(kid) && !row.revoked() ? row.asRevoked(at, row.mac()) : row);
        }
        return new KeyTimeline(changed, tokenLifetime, publishLead, reservedGeneration);
    }

    /** When the key stopped signing because a newer key took over, or {@code null} if it has not (yet). */
    Instant retiredAt(KeyRow row, Instant now) {
        if (row.retiredAt() != null) {
            return row.retiredAt();
        }
        Instant next = nextTakeOver.get(row.kid());
        return next != null && !next.isAfter(now) ? next : null;
    }

    /** The key that signs at {@code now}, or {@code null} when none may (the active key was revoked). */
    KeyRow active(Instant now) {
        for (int i = rows.size() - 1; i >= 0; i--) {
            KeyRow row = rows.get(i);
            if (row.revoked() || row.activatesAt().isAfter(now)) {
                continue;
            }
            return retiredAt(row, now) == null ? row : null;
        }
        return null;
    }

    /**
     * The next key to sign: the non-revoked key of the lowest generation above {@code after}
     * (or above 0) that has not been activated yet.
     */
    KeyRow pending(KeyRow after, Instant now) {
        int floor = after == null ? 0 : after.generation();
        for (KeyRow row : rows) {
            if (row.generation() > floor && !row.revoked() && row.activatesAt().isAfter(now)) {
                return row;
            }
        }
        return null;
    }

    /** Whether every token the key can have signed has expired (it is retired for longer than the token lifetime). */
    boolean expired(KeyRow row, Instant now) {
        Instant retired = retiredAt(row, now);
        return retired != null && now.isAfter(retired.plus(tokenLifetime));
    }

    /** Whether tokens signed by this key are accepted at {@code now}. */
    boolean verifies(KeyRow row, Instant now) {
        return !row.revoked() && !expired(row, now);
    }

    /** Whether the key belongs in the JWK Set at {@code now}. */
    boolean published(KeyRow row, Instant now) {
        return verifies(row, now) && !row.activatesAt().minus(publishLead).isAfter(now);
    }

    KeyStatus.State state(KeyRow row, Instant now) {
        if (row.revoked()) {
            return KeyStatus.State.REVOKED;
        }
        if (expired(row, now)) {
            return KeyStatus.State.EXPIRED;
        }
        if (retiredAt(row, now) != null) {
            return KeyStatus.State.RETIRED;
        }
        return row.activatesAt().isAfter(now) ? KeyStatus.State.PENDING : KeyStatus.State.ACTIVE;
    }

    KeyStatus status(KeyRow row, Instant now) {
        return new KeyStatus(row.kid(), row.generation(), row.alg(), state(row, now), row.createdAt(), row.activatesAt(),
                retiredAt(row, now), row.revokedAt(), storage(row));
    }

    /** The status of a row left out of the timeline because it is not trusted: its columns as stored. */
    static KeyStatus refusedStatus(KeyRow row) {
        return new KeyStatus(row.kid(), row.generation(), row.alg(), KeyStatus.State.REFUSED, row.createdAt(),
                row.activatesAt(), row.retiredAt(), row.revokedAt(), storage(row));
    }

    private static KeyStatus.Storage storage(KeyRow row) {
        return row.privateKey() == null ? KeyStatus.Storage.DESTROYED
                : row.privateKey().startsWith(KeyEncryption.PLAIN_PREFIX) ? KeyStatus.Storage.UNENCRYPTED
                : KeyStatus.Storage.ENCRYPTED;
    }

    // ---- what to do next ------------------------------------------------------------------------

    /** A change to the table: insert the next generation, or bring a pending key's activation forward. */
    record Step(Kind kind, int generation, String kid, Instant activatesAt) {
        enum Kind { INSERT, ACTIVATE_EARLIER }

        static Step insert(int generation, Instant activatesAt) {
            return new Step(Kind.INSERT, generation, null, activatesAt);
        }

        static Step activateEarlier(String kid, Instant activatesAt) {
            return new Step(Kind.ACTIVATE_EARLIER, 0, kid, activatesAt);
        }
    }

    /**
     * What the scheduled refresh has to do at {@code now}, or {@code null} for nothing:
     * <ul>
     *   <li>no key may sign (no keys yet, or the active key was revoked): the pending key takes
     *       over now, or else a new generation is created, active now;</li>
     *   <li>the active key is older than {@code rotationPeriod − publishLead} and no newer key
     *       exists: the next generation is created, to activate {@code rotationPeriod} after the
     *       active key did, but never less than {@code publishLead} from now.</li>
     * </ul>
     */
    Step scheduled(Instant now, Duration rotationPeriod) {
        KeyRow active = active(now);
        if (active == null) {
            return replacement(now);
        }
        if (pending(active, now) != null) {
            return null;
        }
        Instant due = active.activatesAt().plus(rotationPeriod);
        if (now.isBefore(due.minus(publishLead))) {
            return null;
        }
        Instant earliest = now.plus(publishLead);
        return Step.insert(maxGeneration() + 1, due.isAfter(earliest) ? due : earliest);
    }

    /**
     * What an operator's rotation has to do at {@code now}: with {@code force}, a new key signs at
     * once (the pending one if there is one); without, a new key signs after the publish lead (or
     * the pending key, brought forward to that if it was due later).
     */
    Step rotation(Instant now, boolean force) {
        KeyRow active = active(now);
        if (active == null) {
            return replacement(now);
        }
        Instant when = force ? now : now.plus(publishLead);
        KeyRow pending = pending(active, now);
        if (pending != null) {
            return pending.activatesAt().isAfter(when) ? Step.activateEarlier(pending.kid(), when) : null;
        }
        return Step.insert(maxGeneration() + 1, when);
    }

    private Step replacement(Instant now) {
        KeyRow pending = pending(null, now);
        return pending != null ? Step.activateEarlier(pending.kid(), now) : Step.insert(maxGeneration() + 1, now);
    }
}
