VIRT STACKED NETWORK DEVICE DRIVER
M:	virt maintainers <maintainers@users.noreply.r-seed-95ac0808.example>
L:	netdev@vger.kernel.org
S:	Maintained
F:	Documentation/networking/virt.rst
F:	drivers/net/virt.c
F:	drivers/net/virt_test.c
F:	tools/testing/selftests/drivers/net/virt/
