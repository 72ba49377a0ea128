package pcaptest

import "fmt"

// MixDialog is the control dialog of session n of the mix workload (bench/gen) as
// vsftpd answers it, client lines (">") and server lines ("<") in wire
// order, each element one TCP segment: a login, a listing, transfers in
// the four modes, a refused RETR. Its ports and upload name are its own,
// as each session's are. The benchmarks of the control-line path read it.
func MixDialog(n int) []string {
	port := func(k int) int { return 20000 + (4*n+k)%40000 }
	hostPort := func(k int) string { return fmt.Sprintf("%d,%d", port(k)>>8, port(k)&0xff) }
	return []string{
		"<220 ftpscope perf bench (vsftpd)\r\n",
		">USER anonymous\r\n",
		"<331 Please specify the password.\r\n",
		">PASS bench@example.org\r\n",
		"<230 Login successful.\r\n",
		">PWD\r\n",
		"<257 \"/\" is the current directory\r\n",
		">SYST\r\n",
		"<215 UNIX Type: L8\r\n",
		">FEAT\r\n",
		"<211-Features:\r\n EPRT\r\n EPSV\r\n MDTM\r\n PASV\r\n REST STREAM\r\n SIZE\r\n TVFS\r\n211 End\r\n",
		">CWD /pub\r\n",
		"<250 Directory successfully changed.\r\n",
		">TYPE I\r\n",
		"<200 Switching to Binary mode.\r\n",
		">PASV\r\n",
		"<227 Entering Passive Mode (198,18,99,1," + hostPort(0) + ").\r\n",
		">LIST\r\n",
		"<150 Here comes the directory listing.\r\n",
		"<226 Directory send OK.\r\n",
		">EPSV\r\n",
		fmt.Sprintf("<229 Entering Extended Passive Mode (|||%d|)\r\n", port(1)),
		">RETR f01.bin\r\n",
		"<150 Opening BINARY mode data connection for f01.bin (8192 bytes).\r\n",
		"<226 Transfer complete.\r\n",
		">PORT 198,18,99,2," + hostPort(2) + "\r\n",
		"<200 PORT command successful. Consider using PASV.\r\n",
		fmt.Sprintf(">STOR /incoming/s%d-0.bin\r\n", n),
		"<150 Ok to send data.\r\n",
		"<226 Transfer complete.\r\n",
		fmt.Sprintf(">EPRT |1|198.18.99.2|%d|\r\n", port(3)),
		"<200 EPRT command successful. Consider using EPSV.\r\n",
		">RETR missing-17.bin\r\n",
		"<550 Failed to open file.\r\n",
		fmt.Sprintf(">DELE /incoming/s%d-0.bin\r\n", n),
		"<250 Delete operation successful.\r\n",
		">QUIT\r\n",
		"<221 Goodbye.\r\n",
	}
}
