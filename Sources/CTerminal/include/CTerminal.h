#ifndef CTERMINAL_H
#define CTERMINAL_H

/// The width in columns of the terminal on `fd`, or 0 when `fd` is not a terminal or does not say
/// (ioctl is variadic: Swift cannot call it directly).
int rv_terminal_columns(int fd);

#endif
