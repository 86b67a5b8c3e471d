/*
 * Asks the kernel for the session keyring's id with keyctl(2), which a container must not
 * reach: the keyrings are not namespaced, so a container could read or plant keys that the
 * host's other processes use. Prints the outcome.   exit 0: keyctl worked; 1: it failed
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define KEYCTL_GET_KEYRING_ID 0
#define KEY_SPEC_SESSION_KEYRING -3

int main(void) {
    long id = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
    if (id < 0) {
        printf("keyctl: %s\n", strerror(errno));
        return 1;
    }
    printf("keyctl: keyring %ld\n", id);
    return 0;
}
