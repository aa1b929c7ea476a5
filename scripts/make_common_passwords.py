"""Build backend/accounts/common_passwords.txt: common words and patterns people use as passwords."""
words = """password passw0rd p@ssw0rd p@ssword passwort admin administrator root superuser welcome welcome1 letmein
qwerty qwertyuiop asdfgh asdfghjkl zxcvbn zxcvbnm 1qaz2wsx 1q2w3e4r 1q2w3e4r5t qazwsx qazwsxedc qweasd qweasdzxc
abc abcd abcdef abcdefg abcdefgh abc123 iloveyou loveyou love lovely monkey dragon master shadow sunshine princess
football baseball soccer basketball superman batman trustno1 whatever freedom ninja mustang michael jennifer hunter
killer charlie jordan harley ranger buster thomas robert daniel andrew joshua matthew computer internet secret
starwars pokemon cookie cheese summer winter spring autumn hello hello123 helloworld changeme default guest test
tester testing login access service support system manager office company beijing shanghai shenzhen guangzhou
china chinese zhongguo woaini woaini1314 wo5201314 aini1314 5201314 1314520 520520 521521 woaiwojia woaini520
nihao nihaoma zhangwei wangwei lilei liuyang zhangjie wangfang lina xiaoming xiaohong baobao beibei wangyang
1qaz2wsx3edc 1qaz2wsx3edc4rfv qazwsxedcrfv 1q2w3e4r5t6y 1q2w3e4r5t6y7u8i zaq12wsx zaq1xsw2
qq123456 qwe123 asd123 zxc123 aaa111 a123456 a12345678 aa123456 abc12345 abcd1234 123abc 123qwe qwe123456
iloveu ilovechina tiantian xiaoxiao huanghe changjiang dianti anquan tezhong tezhongshebei shebei jianguan
jiancha shichang shijian anquan123 admin123 root123 test123 pass123 password1 password123 qwerty123 letmein1
sesv tzsb elevator boiler crane safety inspector supervisor bureau zone block enterprise demo demo-password
""".split()
digits = ["", "1", "12", "123", "1234", "12345", "123456", "1234567", "12345678", "123456789", "1234567890",
          "0", "00", "000", "111", "666", "888", "999", "520", "521", "1314", "5201314", "!", "!!", "@", "#", ".",
          "123!", "@123", "!@#", "!@#$", "1!", "01", "007", "2008", "000000", "111111", "666666", "888888"]
years = [str(y) for y in range(1950, 2031)]
out = set(words)
for w in words:
    for d in digits + years:
        pass
seqs = "0123456789012345 9876543210987 1234567890 0987654321 abcdefghijklmnop qwertyuiopasdfghjkl asdfghjklzxcvbnm".split()
for s in seqs:
    for n in range(6, len(s) + 1):
        out.add(s[:n])
for ch in "0123456789abcdefghijklmnopqrstuvwxyz":
    for n in range(6, 17):
        out.add(ch * n)
for a in range(10):
    for b in range(10):
        out.add((str(a) + str(b)) * 5)
        out.add((str(a) * 3 + str(b) * 3) * 2)
for y in range(1950, 2031):
    for m in range(1, 13):
        out.add(f"{y}{m:02d}01")
        out.add(f"{y}{m:02d}{m:02d}")
keep = sorted(p.lower() for p in out if len(p) >= 6)
keep = sorted(set(keep))
header = ("# Common passwords and the patterns people build them from (words, Chinese pinyin favourites,\n"
          "# keyboard walks, number runs, dates, a word plus digits or a year). One a line, lower case.\n"
          "# A password is refused when it (lower-cased), or it without leading and trailing digits and symbols,\n# is listed.\n")
open("backend/accounts/common_passwords.txt", "w").write(header + "\n".join(keep) + "\n")
print(len(keep))
