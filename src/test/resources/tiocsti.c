/*
 * Types a line into the terminal on standard input with ioctl(TIOCSTI), one byte at a time,
 * as a program that wants its caller's shell to run a command would. First checks that an
 * ordinary terminal ioctl (TCGETS) works, so a filter that allows ioctl in general but not
 * TIOCSTI can be told from one that denies ioctl.
 *   tiocsti TEXT    exit 0: typed; 1: TIOCSTI failed (errno printed); 2: TCGETS failed
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>

int main(int argc, char **argv) {
    struct termios settings;
    if (argc != 2) {
        fprintf(stderr, "usage: tiocsti TEXT\n");
        return 3;
    }
    if (ioctl(0, TCGETS, &settings) != 0) {
        printf("TCGETS: %s\n", strerror(errno));
        return 2;
    }
    printf("TCGETS: ok\n");
    for (const char *c = argv[1]; *c; c++) {
        if (ioctl(0, TIOCSTI, c) != 0) {
            printf("TIOCSTI: %s\n", strerror(errno));
            return 1;
        }
    }
    printf("TIOCSTI: typed\n");
    return 0;
}
