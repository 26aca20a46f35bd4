#ifndef RAPPORT_CEDITLINE_SHIM_H
#define RAPPORT_CEDITLINE_SHIM_H
// libedit's readline-compatible API: line editing and history for `rapport shell`.
#include <stdio.h>
#include <editline/readline.h>
#endif
