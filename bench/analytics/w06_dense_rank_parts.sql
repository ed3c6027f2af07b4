-- parts ranked by retail price within each brand, the top two ranks
select p_brand, p_partkey, p_retailprice, dense_rank() over (partition by p_brand order by p_retailprice desc) as r
from part
qualify dense_rank() over (partition by p_brand order by p_retailprice desc) <= 2
order by p_brand, r, p_partkey
