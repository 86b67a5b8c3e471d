/*
 * The classic chroot escape: as root, chroot into a subdirectory without entering it, so
 * the working directory is left outside the new root, climb with "..", and chroot there.
 * Against a plain chroot this reaches the real root; after pivot_root and the detach of
 * the host's tree there is nothing above the container's root to reach.
 */
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void) {
    mkdir("/escape-jail", 0755);
    if (chroot("/escape-jail") != 0) {
        perror("chroot /escape-jail");
        return 2;
    }
    for (int i = 0; i < 64; i++) {
        if (chdir("..") != 0) {
            perror("chdir ..");
            return 2;
        }
    }
    if (chroot(".") != 0) {
        perror("chroot .");
        return 2;
    }
    execl("/bin/ls", "ls", "-a", "/", (char *) 0);
    perror("exec /bin/ls");
    return 2;
}
