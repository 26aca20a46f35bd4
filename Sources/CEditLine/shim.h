#ifndef RAPPORT_CEDITLINE_SHIM_H
#define RAPPORT_CEDITLINE_SHIM_H
// libedit's readline-compatible API: line editing and history for `rapport shell`.
#include <stdio.h>
#include <editline/readline.h>

// Accessors for libedit's global variables (Swift 6 refuses to touch shared mutable C globals directly).
static char rapport_word_breaks[] = " \t";

/// Completes with `function`; only blanks separate words (so `name=` stays one word).
static inline void rapport_install_completion(rl_completion_func_t *function) {
    rl_basic_word_break_characters = rapport_word_breaks;
    rl_completer_word_break_characters = rapport_word_breaks;
    rl_attempted_completion_function = function;
}

/// The line being edited.
static inline const char *rapport_line_buffer(void) { return rl_line_buffer; }

/// No filename completion when the function offers nothing.
static inline void rapport_completion_over(void) { rl_attempted_completion_over = 1; }

/// The character added after a single match (0: none).
static inline void rapport_completion_append(int character) { rl_completion_append_character = character; }
#endif
