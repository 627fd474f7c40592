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

package dev.gatehouse.filter.internal;

import dev.gatehouse.token.ConfigurationException;
import dev.gatehouse.web.AuthenticationRequirement;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Paths whose requests need a login that meets an {@link AuthenticationRequirement}: an ordered
 * list of rules, the first whose pattern matches applies. Patterns are those of {@link PathMatcher}.
 * Immutable and thread-safe.
 */
public final class StepUpRules {
    /** The requirement word for a second factor. */
    public static final String MFA = "mfa";
    /** The prefix of the requirement word for a maximum age in seconds. */
    public static final String MAX_AGE = "max_age=";

    private static final Pattern RULE_SEPARATOR = Pattern.compile("[,\\r\\n]");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    private static final StepUpRules NONE = new StepUpRules(List.of());

    private record Rule(String pattern, PathMatcher matcher, AuthenticationRequirement requirement) {
    }

    private final List<Rule> rules;

    private StepUpRules(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** No rules. */
    public static StepUpRules none() {
        return NONE;
    }

    /**
     * Rules from patterns and their requirements, in order.
     *
     * @throws ConfigurationException naming {@code setting} when a pattern is not a path or prefix
     */
    public static StepUpRules of(String setting, Map<String, AuthenticationRequirement> rules) {
        List<Rule> out = new ArrayList<>();
        rules.forEach((pattern, requirement) -> out.add(new Rule(pattern, new PathMatcher(setting, List.of(pattern)),
                Objects.requireNonNull(requirement, "requirement"))));
        return new StepUpRules(out);
    }

    /**
     * Parses rules written as text: one per line or comma-separated, each a path pattern and one or
     * both of {@code mfa} and {@code max_age=<seconds>}, separated by white space
     * ({@code /admin/* mfa max_age=900}).
     *
     * @throws ConfigurationException naming {@code setting} when a rule is malformed
     */
    public static StepUpRules parse(String setting, String text) {
        List<Rule> out = new ArrayList<>();
        for (String line : RULE_SEPARATOR.split(text, -1)) {
            if (line.isBlank()) {
                continue;
            }
            String[] words = WHITESPACE.split(line.strip());
            String pattern = words[0];
            PathMatcher matcher = new PathMatcher(setting, List.of(pattern));
            if (words.length == 1) {
                throw new ConfigurationException(setting, "the rule '" + line.strip() + "' names no requirement: add "
                        + MFA + ", " + MAX_AGE + "<seconds>, or both");
            }
            AuthenticationRequirement requirement = null;
            boolean mfa = false;
            boolean age = false;
            for (int i = 1; i < words.length; i++) {
                String word = words[i];
                AuthenticationRequirement one;
                if (MFA.equals(word) && !mfa) {
                    mfa = true;
                    one = AuthenticationRequirement.secondFactor();
                } else if (word.startsWith(MAX_AGE) && !age) {
                    age = true;
                    one = AuthenticationRequirement.maxAgeSeconds(seconds(setting, line.strip(), word.substring(MAX_AGE.length())));
                } else {
                    throw new ConfigurationException(setting, "the rule '" + line.strip() + "': '" + word + "' is not "
                            + (MFA.equals(word) || word.startsWith(MAX_AGE) ? "allowed twice" : MFA + " or " + MAX_AGE + "<seconds>"));
                }
                requirement = requirement == null ? one : requirement.and(one);
            }
            out.add(new Rule(pattern, matcher, requirement));
        }
        return new StepUpRules(out);
    }

    private static long seconds(String setting, String rule, String value) {
        long seconds;
        try {
            seconds = Long.parseLong(value);
        } catch (NumberFormatException e) {
            seconds = 0;
        }
        if (seconds < 1 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new ConfigurationException(setting, "the rule '" + rule + "': max_age must be a whole number of seconds,"
                    + " at least 1, not '" + value + "'");
        }
        return seconds;
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    /**
     * The requirement of the first rule that matches {@code path}, or {@code null}.
     *
     * @param path the context-relative path as the container decoded and normalised it
     */
    public AuthenticationRequirement requirementFor(String path) {
        for (Rule rule : rules) {
            if (rule.matcher().matches(path)) {
                return rule.requirement();
            }
        }
        return null;
    }

    @Override
    public String toString() {
        List<String> out = new ArrayList<>();
        for (Rule rule : rules) {
            AuthenticationRequirement r = rule.requirement();
            out.add(rule.pattern() + (r.requiresSecondFactor() ? " " + MFA : "")
                    + r.maxAge().map(a -> " " + MAX_AGE + a.toSeconds()).orElse(""));
        }
        return out.toString();
    }
}
